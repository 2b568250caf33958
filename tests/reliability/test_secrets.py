"""No secret anywhere: pickles, inputs, outputs, state, stderr, error messages."""

from __future__ import annotations

import base64
import hashlib

import pytest

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.engine import KINDS, PROVIDER_BLOB, Engine, ProviderError, ProviderProcess
from tests.support import SEED_NOW, seed, stack_config

PASSWORD = "Zebra-Quartz-7781-password"
OAUTH_SECRET = "Walrus-Nebula-5532-secret"


def _needles(creds: Credentials, tokens: list[str]) -> dict[str, str]:
    digest = hashlib.md5(creds.password.encode()).hexdigest()
    basic = base64.b64encode(f"{creds.username}:{digest}".encode()).decode()
    needles = {
        "password": creds.password,
        "md5": digest,
        "basic header": basic,
        "oauth secret": creds.oauth_secret,
    }
    needles.update({f"token {i}": t for i, t in enumerate(tokens)})
    return needles


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("oauth", [False, True])
def test_full_cycle_leaks_nothing(tmp_path, oauth, figure, kind):
    creds = Credentials("till-secret-test", PASSWORD, "key-1", OAUTH_SECRET)
    haystack: list[str] = [PROVIDER_BLOB, base64.b64decode(PROVIDER_BLOB).decode("latin-1")]
    with EmulatorServer(now=SEED_NOW, credentials=creds, token_ttl=1) as emu:
        with ProviderProcess(kind=kind) as process:
            process.configure(stack_config(emu, oauth=oauth))
            engine = Engine(process, tmp_path / "state.json")
            body = dict(seed("be01.request"), deletionPolicy="delete")
            engine.register("m", body)
            emu.store.fixed_now = None  # real clock: tokens expire during the run
            body["name"] = "renamed"
            engine.register("m", body)
            engine.refresh()
            engine.destroy()
            engine.register("m", body)
            emu.store.creation_disabled = True
            with pytest.raises(ProviderError) as caught:
                engine.register("other", dict(body, name="other"))
            haystack += [caught.value.details, caught.value.message]
            haystack += [(tmp_path / "state.json").read_text(), process.stderr()]
        with ProviderProcess(kind=kind) as process:  # wrong credentials: not echoed
            config = stack_config(emu, oauth=oauth)
            key = "capillary:oauthSecret" if oauth else "capillary:password"
            config[key] = "wrong-" + (OAUTH_SECRET if oauth else PASSWORD)
            process.configure(config)
            with pytest.raises(ProviderError) as caught:
                Engine(process, tmp_path / "s2.json").register("m2", seed("be02.request"))
            assert "rejected" in caught.value.message
            haystack += [caught.value.details, process.stderr()]
        tokens = list(emu.store.tokens)
    assert not oauth or tokens, "the OAuth run should have generated tokens"
    text = "\n".join(haystack)
    hits = {name: text.count(value) for name, value in _needles(creds, tokens).items()}
    figure(
        f"secrets.hits ({'oauth' if oauth else 'basic'}, {kind} provider)",
        f"{sum(hits.values())} in {len(text)} characters scanned",
    )
    assert hits == dict.fromkeys(hits, 0)
