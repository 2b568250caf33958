"""``pulumi-resource-capillary``: the resource provider's process, as the Pulumi CLI starts it.

The CLI runs the plugin with the engine's address as its first argument and reads the port
it serves on from its first line of output. The SDK's servicer (``pulumi.provider.
experimental.server``) serves the provider's own calls (its schema, its configuration); the
resource's calls are served here, straight from the protocol's structs to the provider's
plain values (``values.py``: the SDK's ``PropertyValue`` would cost about 4 ms a resource),
each in a worker thread (the core and its HTTP client block). A failure we raise on purpose
(a ``CapillaryError``) reaches the CLI as its one sentence; anything else is a bug and keeps
its frames. Messages are logged to the engine, under the resource they are about.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
import grpc.aio
from google.protobuf import empty_pb2
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ..exceptions import CapillaryError
from .provider import CapillaryProvider, Log, _stderr
from .values import carried, from_struct, to_struct

_T = TypeVar("_T")
Context = grpc.aio.ServicerContext[Any, Any]
# where a secret input also lands: the declaration the outputs keep, whole
_CARRIERS = ("appliedDeclaration",)


def _ours(error: BaseException | None) -> CapillaryError | None:
    """Our own failure, possibly inside one the SDK's servicer raised with its stack."""
    while error is not None:
        if isinstance(error, CapillaryError):
            return error
        error = error.__cause__ or error.__context__
    return None


async def _answer(context: Context, call: Callable[[], Awaitable[_T]]) -> _T:
    """``call``'s answer; our failure as its sentence, a bug with its frames."""
    try:
        return await call()
    except Exception as error:
        ours = _ours(error)
        details = str(ours) if ours is not None else traceback.format_exc()
        await context.abort(grpc.StatusCode.UNKNOWN, details)
        raise  # abort raised already


def _config_call(rpc: str) -> Callable[..., Awaitable[Any]]:
    """The SDK servicer's ``rpc``, with our failures as their sentence."""
    method = getattr(ProviderServicer, rpc)

    async def call(self: ProviderServicer, request: Any, context: Context) -> Any:
        return await _answer(context, lambda: method(self, request, context))

    call.__name__ = rpc
    return call


class Servicer(ProviderServicer):
    """The SDK's servicer for the provider's own calls; the resource's calls served here."""

    _provider: CapillaryProvider

    CheckConfig = _config_call("CheckConfig")
    DiffConfig = _config_call("DiffConfig")
    Configure = _config_call("Configure")

    async def _off_loop(self, call: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.to_thread(call, *args)

    async def Check(self, request: Any, context: Context) -> Any:
        async def check() -> Any:
            olds, _ = from_struct(request.olds)
            news, secret = from_struct(request.news)
            checked = await self._off_loop(self._provider.check_inputs, request.urn, olds, news)
            failures = [
                provider_pb2.CheckFailure(property=f.property, reason=f.reason)
                for f in checked.failures
            ]
            return provider_pb2.CheckResponse(
                inputs=to_struct(checked.inputs, secret), failures=failures
            )

        return await _answer(context, check)

    async def Diff(self, request: Any, context: Context) -> Any:
        async def diff() -> Any:
            olds, _ = from_struct(request.olds)
            news, _ = from_struct(request.news)
            return self._provider.diff_state(olds, news)  # no API call: on the event loop

        return await _answer(context, diff)

    async def Create(self, request: Any, context: Context) -> Any:
        async def create() -> Any:
            props, secret = from_struct(request.properties)
            group_id, outs = await self._off_loop(self._provider.create_group, request.urn, props)
            properties = to_struct(outs, carried(secret, *_CARRIERS))
            return provider_pb2.CreateResponse(id=group_id, properties=properties)

        return await _answer(context, create)

    async def Update(self, request: Any, context: Context) -> Any:
        async def update() -> Any:
            olds, _ = from_struct(request.olds)
            news, secret = from_struct(request.news)
            outs = await self._off_loop(
                self._provider.update_group, request.urn, request.id, olds, news
            )
            properties = to_struct(outs, carried(secret, *_CARRIERS))
            return provider_pb2.UpdateResponse(properties=properties)

        return await _answer(context, update)

    async def Delete(self, request: Any, context: Context) -> Any:
        async def delete() -> Any:
            props, _ = from_struct(request.properties)
            await self._off_loop(self._provider.delete_group, request.urn, request.id, props)
            return empty_pb2.Empty()

        return await _answer(context, delete)

    async def Read(self, request: Any, context: Context) -> Any:
        """A group that does not exist is read as no state at all: the engine tells "gone"
        and "no such id to import" from outputs that are not there, not from empty ones."""

        async def read() -> Any:
            props, hidden = from_struct(request.properties)
            inputs, secret = from_struct(request.inputs)
            found = await self._off_loop(
                self._provider.read_group, request.urn, request.id, props, inputs
            )
            if not found.group_id:
                return provider_pb2.ReadResponse()
            secret = secret | carried(hidden, *_CARRIERS)
            kept = request.inputs  # the inputs stand as declared
            if found.inputs is not None:
                kept = to_struct(found.inputs, secret)
            return provider_pb2.ReadResponse(
                id=found.group_id, properties=to_struct(found.outputs, secret), inputs=kept
            )

        return await _answer(context, read)


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
    from .._version import __version__  # not importlib.metadata: 40 ms of every start

    return __version__


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
