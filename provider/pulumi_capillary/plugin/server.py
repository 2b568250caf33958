"""``pulumi-resource-capillary``: the resource provider's process, as the Pulumi CLI starts it.

The CLI runs the plugin with the engine's address as its first argument and reads the port
it serves on from its first line of output. The SDK's servicer (``pulumi.provider.
experimental.server``) translates the protocol; ours changes one thing: a failure we raise on
purpose (a ``CapillaryError``) reaches the CLI as its one sentence, where the SDK would add
the Python stack. Anything else is a bug and keeps its frames. Messages are logged to the
engine, under the resource they are about.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ..exceptions import CapillaryError
from .provider import CapillaryProvider, Log, _stderr

_RPCS = ("Check", "Diff", "Create", "Update", "Delete", "CheckConfig", "DiffConfig")


def _ours(error: BaseException | None) -> CapillaryError | None:
    """Our own failure inside the one the SDK's servicer raised with its stack attached."""
    while error is not None:
        if isinstance(error, CapillaryError):
            return error
        error = error.__cause__ or error.__context__
    return None


def _plain(rpc: str) -> Callable[..., Awaitable[Any]]:
    method = getattr(ProviderServicer, rpc)

    async def call(
        self: ProviderServicer, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        try:
            return await method(self, request, context)
        except Exception as error:
            ours = _ours(error)
            if ours is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, str(ours))

    call.__name__ = rpc
    return call


_plain_read = _plain("Read")


class Servicer(ProviderServicer):
    """The SDK's servicer, but our failures read as one sentence, and a group that does not
    exist is read as no state at all (the engine tells "gone" and "no such id to import"
    from outputs that are not there, not from empty ones)."""

    async def Read(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        response = await _plain_read(self, request, context)
        return response if response.id else provider_pb2.ReadResponse()


for _rpc in _RPCS:
    setattr(Servicer, _rpc, _plain(_rpc))


def _engine_log(address: str) -> Log:
    """Messages as the engine's own diagnostics, under the resource (stderr if it fails)."""
    from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

    channel = grpc.insecure_channel(address, options=_GRPC_CHANNEL_OPTIONS)
    engine = engine_pb2_grpc.EngineStub(channel)
    levels = {"warning": engine_pb2.WARNING, "info": engine_pb2.INFO}

    def log(severity: str, message: str, urn: str) -> None:
        try:
            engine.Log(engine_pb2.LogRequest(severity=levels[severity], message=message, urn=urn))
        except grpc.RpcError:
            _stderr(severity, message, urn)

    return log


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pulumi-capillary")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0.0.0"


async def serve(address: str | None) -> None:
    provider = CapillaryProvider(_engine_log(address) if address else _stderr)
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    servicer = Servicer(sys.argv[1:], _version(), provider, engine_address=address or "")
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


def main() -> None:
    """The plugin's entry point: ``pulumi-resource-capillary ENGINE_ADDRESS [flags]``."""
    address = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(address))
