"""Size of the serialized ``__provider`` in every resource's state (not named pickle.py: that
would shadow the standard library's pickle for everything the script imports).

Ours (importable class, nothing held) vs a provider written the way Pulumi's docs show: the
class in ``__main__`` (pickled by value) with its API client built in ``__init__``.
Goal: ours at most 200 bytes.
"""

from __future__ import annotations

import base64

import _common  # noqa: F401 - puts the repository on sys.path
import httpx
from _common import report
from pulumi.dynamic import CreateResult, ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_capillary import TargetGroupProvider


class ApiClient:
    """What a docs-style provider carries: its own small client, defined in the program."""

    def __init__(self, base_url: str, till: str, digest: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Basic {till}:{digest}", "Accept": "application/json"}
        self.timeout = httpx.Timeout(30.0)

    def post(self, path: str, body: dict) -> dict:
        response = httpx.post(
            self.base_url + path, json=body, headers=self.headers, timeout=self.timeout
        )
        return response.json()["data"]


class DocsStyleProvider(ResourceProvider):
    def __init__(self) -> None:
        super().__init__()
        self.client = ApiClient("https://eu.api.capillarytech.com", "till", "0" * 32)

    def create(self, props: dict) -> CreateResult:
        data = self.client.post("/v3/targetGroups", props)
        return CreateResult(str(data["id"]), data)


def size(provider: ResourceProvider) -> int:
    return len(base64.b64decode(serialize_provider(provider)))


def main() -> None:
    ours = size(TargetGroupProvider())
    docs = size(DocsStyleProvider())
    report("pickle.docs_style_bytes", docs)
    report("pickle.our_bytes", f"{ours} (goal: at most 200)")
    report("pickle.ratio", f"{ours / docs:.3f}")


if __name__ == "__main__":
    main()
