"""Thousands of invalid declarations: each refused at Check with a field path, no API call."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_capillary.emulator import EmulatorServer
from tests.declarations import declarations
from tests.engine import KINDS, PROVIDER_BLOB, ProviderProcess
from tests.support import SEED_NOW, basic_header, seed, stack_config

EXAMPLES = 2000
_COUNT: Counter[str] = Counter()
_garbage = st.text(min_size=1, max_size=20).map(lambda t: "x" + t)
_broken_dates = st.one_of(
    st.sampled_from(
        [
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "yesterday",
            "",
            "01/02/2026",
            "2026-01-01T25:00:00Z",
            "２０２６-01-01",
            "2026-01-01T00:00:00+25:00",
        ]
    ),
    _garbage,
)
_wrong_types = st.sampled_from([[], {}, [1, 2], {"a": 1}])
_huge = st.one_of(st.integers(2**54, 2**80), st.floats(1e16, 1e300))
_bad_enum = st.one_of(
    _garbage.map(str.upper),
    st.sampled_from(["DEFAULT\u200b", "ＤＥＦＡＵＬＴ", "MONTHLY!", "ÉVÉNEMENT", "🙂"]),
)


def _target(body: dict, draw) -> dict:
    return body["targets"][draw(st.integers(0, len(body["targets"]) - 1))]


def _period(body: dict, draw) -> dict:
    return body["periods"][draw(st.integers(0, len(body["periods"]) - 1))]


MUTATIONS = {
    "wrong type": lambda b, d: d(
        st.sampled_from(
            [
                lambda: b.update(name=d(_wrong_types)),
                lambda: b.update(periods=d(st.sampled_from(["two", {"a": 1}, 3]))),
                lambda: b.update(preferredTillId=d(st.sampled_from(["abc", [1], {"x": 1}, True]))),
                lambda: b.update(active=d(_wrong_types)),
                lambda: _target(b, d)["defaultValues"][0].update(
                    defaultValue=d(st.sampled_from([[1], {"v": 1}, True, "lots"]))
                ),
                lambda: _target(b, d).update(filters="STORE"),
            ]
        )
    )(),
    "missing": lambda b, d: d(
        st.sampled_from(
            [
                lambda: b.pop("name"),
                lambda: b.pop("periods"),
                lambda: b.pop("targets"),
                lambda: _target(b, d).pop("name"),
                lambda: _target(b, d).pop("targetEntity"),
                lambda: _target(b, d).pop("defaultValues"),
                lambda: _period(b, d).pop("startDate"),
            ]
        )
    )(),
    "broken date": lambda b, d: d(
        st.sampled_from(
            [
                lambda: _period(b, d).update(startDate=d(_broken_dates)),
                lambda: _period(b, d).update(endDate=d(_broken_dates)),
                lambda: b.update(fromDate=d(_broken_dates)),
                lambda: b.update(targetCycleEndDateISO=d(_broken_dates)),
            ]
        )
    )(),
    "bad enum": lambda b, d: d(
        st.sampled_from(
            [
                lambda: b.update(trackingType=d(_bad_enum)),
                lambda: b.update(frequencyType=d(_bad_enum)),
                lambda: _target(b, d).update(targetEntity=d(_bad_enum)),
                lambda: _target(b, d).update(targetType=d(_bad_enum)),
                lambda: _target(b, d).update(enrolmentMethod=d(_bad_enum)),
            ]
        )
    )(),
    "mismatched count": lambda b, d: d(
        st.sampled_from(
            [
                lambda: b.update(totalPeriods=len(b["periods"]) + d(st.integers(1, 5))),
                lambda: _target(b, d)["defaultValues"].append({"defaultValue": 1}),
                lambda: b["periods"].append(copy.deepcopy(b["periods"][-1])),
            ]
        )
    )(),
    "oversized": lambda b, d: d(
        st.sampled_from(
            [
                lambda: b.update(name="n" * d(st.integers(201, 5000))),
                lambda: b.update(description="d" * d(st.integers(256, 5000))),
                lambda: _target(b, d).update(name="é" * d(st.integers(201, 2000))),
                lambda: b.update(recurringCycles=d(st.integers(101, 10**6))),
            ]
        )
    )(),
    "huge number": lambda b, d: d(
        st.sampled_from(
            [
                # ids beyond 2**53 cannot cross Pulumi's doubles intact; target values have
                # no documented bound, so a huge one is valid
                lambda: b.update(preferredTillId=d(_huge)),
                lambda: b.update(frequency=d(_huge)),
            ]
        )
    )(),
    "unknown field": lambda b, d: b.update({"zz" + d(_garbage): 1}),
}


@st.composite
def invalid_declarations(draw) -> list[tuple[str, dict]]:
    """One valid declaration broken in each of the ways above (generating the valid base is
    most of the cost, so each base serves every kind of mistake)."""
    base = draw(declarations())
    cases = []
    for kind in sorted(MUTATIONS):
        body = copy.deepcopy(base)
        MUTATIONS[kind](body, draw)
        cases.append((kind, body))
    return cases


@pytest.fixture(scope="module", params=KINDS)
def checker(request):
    with EmulatorServer(now=SEED_NOW) as emu, ProviderProcess(kind=request.param) as process:
        process.configure(stack_config(emu))
        yield emu, process


@given(cases=invalid_declarations())
@settings(
    max_examples=EXAMPLES // len(MUTATIONS),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def _each_is_refused_at_check(process: ProviderProcess, cases: list[tuple[str, dict]]) -> None:
    for kind, body in cases:
        news = body if process.kind == "plugin" else {**body, "__provider": PROVIDER_BLOB}
        _, failures = process.check("urn:pulumi:dev::p::t::m", {}, news)
        assert failures, f"{kind}: accepted {json.dumps(body)[:300]}"
        # each names its field: as the property, or at the start of the reason (nested ones)
        assert all(reason and (path or ": " in reason) for path, reason in failures)
        _COUNT[kind] += 1


def test_every_invalid_declaration_is_refused_at_check(checker, figure):
    emu, process = checker
    _COUNT.clear()
    before = len(httpx.get(emu.url + "/__emulator__/requests").json()["requests"])
    _each_is_refused_at_check(process)
    calls = len(httpx.get(emu.url + "/__emulator__/requests").json()["requests"]) - before
    refused = sum(_COUNT.values())
    figure(f"bad_input.declarations_refused_at_check ({process.kind} provider)", refused)
    figure(f"bad_input.api_calls ({process.kind} provider)", calls)
    assert refused >= EXAMPLES and set(_COUNT) == set(MUTATIONS)
    assert calls == 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)


@st.composite
def hostile_bodies(draw) -> bytes:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return json.dumps(draw(_json)).encode()
    if choice == 1:
        return draw(st.binary(max_size=2000))
    body = seed("be02.request")
    holder = body if choice == 2 else body["targets"][0]
    holder[draw(st.sampled_from(sorted(holder)))] = draw(_json)
    return json.dumps(body).encode()


@pytest.fixture(scope="module")
def emulator_api(checker) -> Iterator[httpx.Client]:
    emu, _ = checker
    headers = {"Authorization": basic_header(emu.credentials.username, emu.credentials.password)}
    with httpx.Client(base_url=emu.url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def existing_group(emulator_api) -> int:
    return emulator_api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]["id"]


@given(content=hostile_bodies())
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_the_emulator_never_answers_500(emulator_api, existing_group, content):
    for method, path in (
        ("POST", "/v3/targetGroups"),
        ("PUT", f"/v3/targetGroups/editTargetGroup/{existing_group}"),
    ):
        response = emulator_api.request(
            method, path, content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code < 500, response.text


def test_oversized_body_is_refused_not_crashed(checker):
    emu, _ = checker
    headers = {"Authorization": basic_header(emu.credentials.username, emu.credentials.password)}
    response = httpx.post(emu.url + "/v3/targetGroups", content=b"[" * (3 << 20), headers=headers)
    assert response.status_code == 400
