"""The baseline resource provider of ``bench/plugin.py``: a real Python provider on the same
SDK server that does nothing (check and diff compare, create echoes), imports nothing extra."""

from __future__ import annotations

import sys

from pulumi.provider.experimental.provider import (
    CheckRequest,
    CheckResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    Provider,
)
from pulumi.provider.experimental.server import main


class Trivial(Provider):
    async def check(self, request: CheckRequest) -> CheckResponse:
        return CheckResponse(inputs=request.new_inputs)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        return DiffResponse(changes=request.old_state != request.new_inputs)

    async def create(self, request: CreateRequest) -> CreateResponse:
        return CreateResponse(str(abs(hash(request.urn))), request.properties)

    async def delete(self, request: DeleteRequest) -> None:
        return None


if __name__ == "__main__":
    main(sys.argv[1:], "0.0.1", Trivial())
