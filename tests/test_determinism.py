"""The same declaration, the same bytes, in every process: a saved plan (``pulumi preview
--save-plan``, then ``up --plan``) compares what ``check`` returned at preview with what it
returns at ``up``, in another process, whatever ``PYTHONHASHSEED`` is and in whatever order
the engine's maps (Go maps, unordered) deliver a mapping's keys."""

from __future__ import annotations

import random

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import CheckRequest

from pulumi_capillary.emulator import EmulatorServer
from tests.engine import KINDS, PROVIDER_BLOB, ProviderProcess, _struct
from tests.support import SEED_NOW, seed, stack_config

KEYS = ["arity", "value", "type", "left", "right", "operator", "args", "name", "x", "y"]


def _shuffled(value, rng: random.Random):
    """The same document with every mapping's keys in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _declaration() -> dict:
    body = seed("be01.request")
    expression = {key: {"nested": {k: i for i, k in enumerate(KEYS)}, "n": 2.0} for key in KEYS}
    body["targets"][0]["expressionJson"] = expression  # a mapping, as a data file may give it
    body["targets"][0]["filters"] = [{"entityType": "STORE", "entityIds": [101.0, "7", 3.0]}]
    body["preferredTillId"] = 75155297.0  # numbers arrive as floats
    return body


def _checked_bytes(
    hash_seed: str, order_seed: int, emulator: EmulatorServer, kind: str = "dynamic"
) -> bytes:
    news = _shuffled(_declaration(), random.Random(order_seed))
    if kind == "dynamic":
        news["__provider"] = PROVIDER_BLOB
    with ProviderProcess(env={"PYTHONHASHSEED": hash_seed}, kind=kind) as process:
        process.configure(stack_config(emulator))
        request = CheckRequest(urn="urn:pulumi:dev::p::t::m", olds=_struct({}), news=_struct(news))
        response = process.stub.Check(request)
    assert not response.failures, response.failures
    inputs: struct_pb2.Struct = response.inputs
    return inputs.SerializeToString(deterministic=True)


@pytest.mark.parametrize("kind", KINDS)
def test_check_returns_the_same_bytes_in_every_process(kind):
    with EmulatorServer(now=SEED_NOW) as emulator:
        first = _checked_bytes("1", 1, emulator, kind)
        second = _checked_bytes("2", 2, emulator, kind)
        third = _checked_bytes("random", 3, emulator, kind)
    assert first == second == third
    assert b'{\\"args\\"' not in first  # the JSON text itself is canonical: sorted keys
    assert b'"arity":{"n":2,"nested":{"args":6' in first.replace(b"\\", b"")
