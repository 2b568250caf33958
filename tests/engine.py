"""An engine double: the Pulumi engine's calls on the real provider servers — the dynamic
provider's ``python -m pulumi.dynamic`` and the resource provider ``capillary``
(``python -m pulumi_capillary.plugin``, as ``pulumi-resource-capillary`` runs it).

Fast enough for property tests and fault injection, it reproduces what the real CLI does
(pulumi/pulumi; engine: ``pkg/resource/deploy/step_generator.go``, SDK:
``sdk/python/lib/pulumi/dynamic/__main__.py``), and is held against the real CLI in
``tests/real_cli/test_double.py``: it starts the provider server as a
subprocess from the program directory, speaks gRPC to it with the SDK's own stubs, sends
values as protobuf Structs (numbers become floats, secrets are wrapped, unknowns are the
sentinel string), and keeps a state file of inputs and outputs per resource.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_capillary import TargetGroupProvider

ROOT = Path(__file__).resolve().parents[1]
TYPE = "pulumi-python:dynamic/capillary:TargetGroup"
PLUGIN_TYPE = "capillary:index:TargetGroup"
KINDS = ("dynamic", "plugin")  # the two providers: each test of a provider runs on both
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROVIDER_BLOB = serialize_provider(TargetGroupProvider())


def secret(value: Any) -> dict:
    return {SECRET_SIG: SECRET_VALUE, "value": value}


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


def _plain(message: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(message)


class ProviderError(Exception):
    """A provider call failed; ``message`` is what the CLI would print."""

    def __init__(self, details: str) -> None:
        lines = [line for line in details.strip().splitlines() if line.strip()]
        self.details = details
        self.message = lines[-1] if lines else details
        super().__init__(self.message)


class CheckFailed(Exception):
    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{p}: {r}" for p, r in failures))

    @property
    def by_path(self) -> dict[str, str]:
        """Each failure by the field it names: its property, or (a nested field, whose value
        Pulumi cannot show) the path the reason starts with."""
        return dict(split_failure(p, r) for p, r in self.failures)


def split_failure(prop: str, reason: str) -> tuple[str, str]:
    if prop:
        return prop, reason
    path, _, rest = reason.partition(": ")
    return path, rest


class ProviderProcess:
    """The provider server the CLI would start, and a gRPC client for it."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
        module: str | None = None,
        kind: str = "dynamic",
    ) -> None:
        self.kind = kind
        module = module or ("pulumi_capillary.plugin" if kind == "plugin" else "pulumi.dynamic")
        self.stderr_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"provider-{id(self)}.err"
        self._stderr = open(self.stderr_path, "w+")  # noqa: SIM115 - closed in stop()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CAPILLARY_")}
        environment.update(PULUMI_PROJECT="capillary-milestones", **(env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        port = self.process.stdout.readline().strip()
        if not port:
            self.stop()
            raise RuntimeError(f"the provider server did not start: {self.stderr()}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.stub.GetPluginInfo(empty_pb2.Empty())

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()

    def stop(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        self._stderr.close()
        self.stderr_path.unlink(missing_ok=True)

    def __enter__(self) -> ProviderProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as error:
            raise ProviderError(error.details() or str(error)) from None

    # -- the RPCs, in the engine's shapes ------------------------------------------------
    def configure(self, config: dict[str, Any]) -> None:
        """The stack's config, as the engine configures the default provider: the dynamic one
        gets every key; the resource provider its own namespace's, without the namespace."""
        if self.kind == "plugin":
            config = {
                k.removeprefix("capillary:"): v
                for k, v in config.items()
                if k.startswith("capillary:")
            }
        try:
            self.stub.CheckConfig(
                provider_pb2.CheckRequest(urn="urn", olds=_struct({}), news=_struct(config))
            )
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNIMPLEMENTED
        self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                args=_struct(config), acceptSecrets=True, acceptResources=True
            ),
        )

    def check(self, urn: str, olds: dict, news: dict) -> tuple[dict, list[tuple[str, str]]]:
        response = self._call(
            "Check", provider_pb2.CheckRequest(urn=urn, olds=_struct(olds), news=_struct(news))
        )
        failures = [(f.property, f.reason) for f in response.failures]
        return _plain(response.inputs), failures

    def diff(self, urn: str, id_: str, olds: dict, news: dict) -> provider_pb2.DiffResponse:
        return self._call(
            "Diff",
            provider_pb2.DiffRequest(id=id_, urn=urn, olds=_struct(olds), news=_struct(news)),
        )

    def create(self, urn: str, props: dict) -> tuple[str, dict]:
        response = self._call(
            "Create", provider_pb2.CreateRequest(urn=urn, properties=_struct(props))
        )
        return response.id, _plain(response.properties)

    def read(
        self, urn: str, id_: str, props: dict, inputs: dict | None = None
    ) -> tuple[str, dict, dict | None]:
        response = self._call(
            "Read",
            provider_pb2.ReadRequest(
                id=id_, urn=urn, properties=_struct(props), inputs=_struct(inputs or {})
            ),
        )
        new_inputs = _plain(response.inputs) if response.HasField("inputs") else None
        return response.id, _plain(response.properties), new_inputs

    def update(self, urn: str, id_: str, olds: dict, news: dict) -> dict:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(id=id_, urn=urn, olds=_struct(olds), news=_struct(news)),
        )
        return _plain(response.properties)

    def delete(self, urn: str, id_: str, props: dict) -> None:
        self._call("Delete", provider_pb2.DeleteRequest(id=id_, urn=urn, properties=_struct(props)))


@dataclass
class Step:
    op: str  # create, same, update, replace, delete, refresh, gone
    name: str
    inputs: dict | None = None
    outputs: dict | None = None
    diff: provider_pb2.DiffResponse | None = None


@dataclass
class Engine:
    """Steps and state: what ``pulumi preview``/``up``/``refresh``/``destroy`` do per resource."""

    provider: ProviderProcess
    state_file: Path
    stack: str = "dev"
    resources: dict[str, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.state_file.exists():
            self.resources = json.loads(self.state_file.read_text())["resources"]

    @property
    def plugin(self) -> bool:
        return self.provider.kind == "plugin"

    def urn(self, name: str) -> str:
        kind = PLUGIN_TYPE if self.plugin else TYPE
        return f"urn:pulumi:{self.stack}::capillary-milestones::{kind}::{name}"

    def _save(self) -> None:
        with self._lock:
            payload = json.dumps({"resources": self.resources}, indent=1, sort_keys=True)
            self.state_file.write_text(payload)

    def register(
        self,
        name: str,
        inputs: dict,
        preview: bool = False,
        delete_before_replace: bool | None = None,
    ) -> Step:
        """One resource registration, as the step generator handles it."""
        urn = self.urn(name)
        news = inputs if self.plugin else {**inputs, "__provider": PROVIDER_BLOB}
        old = self.resources.get(name)
        if old is None:
            checked, failures = self.provider.check(urn, {}, news)
            if failures:
                raise CheckFailed(failures)
            if preview:
                return Step("create", name, checked)
            id_, outs = self.provider.create(urn, checked)
            self._store(name, id_, checked, outs)
            return Step("create", name, checked, outs)
        checked, failures = self.provider.check(urn, old["inputs"], news)
        if failures:
            raise CheckFailed(failures)
        diff = self.provider.diff(urn, old["id"], old["outputs"], checked)
        if diff.changes == provider_pb2.DiffResponse.DIFF_NONE:
            if not preview:
                self._store(name, old["id"], checked, old["outputs"])
            return Step("same", name, checked, old["outputs"], diff)
        if list(diff.replaces):
            fresh, failures = self.provider.check(urn, {}, news)
            if failures:
                raise CheckFailed(failures)
            if preview:
                return Step("replace", name, fresh, None, diff)
            first_delete = (
                diff.deleteBeforeReplace
                if delete_before_replace is None
                else (delete_before_replace)
            )
            if first_delete:
                self.provider.delete(urn, old["id"], old["outputs"])
                self.resources.pop(name)
                self._save()
            id_, outs = self.provider.create(urn, fresh)
            if not first_delete:
                self.provider.delete(urn, old["id"], old["outputs"])
            self._store(name, id_, fresh, outs)
            return Step("replace", name, fresh, outs, diff)
        if preview:
            return Step("update", name, checked, None, diff)
        outs = self.provider.update(urn, old["id"], old["outputs"], checked)
        self._store(name, old["id"], checked, outs)
        return Step("update", name, checked, outs, diff)

    def _store(self, name: str, id_: str, inputs: dict, outputs: dict) -> None:
        with self._lock:
            self.resources[name] = {"id": id_, "inputs": inputs, "outputs": outputs}
        self._save()

    def remove(self, name: str, preview: bool = False) -> Step:
        """A resource no longer in the program: deleted (the engine calls Delete)."""
        old = self.resources[name]
        if not preview:
            self.provider.delete(self.urn(name), old["id"], old["outputs"])
            self.resources.pop(name)
            self._save()
        return Step("delete", name)

    def refresh(self, preview: bool = False) -> list[Step]:
        steps = []
        for name, old in list(self.resources.items()):
            id_, outs, inputs = self.provider.read(
                self.urn(name), old["id"], old["outputs"], old["inputs"]
            )
            if not id_:
                steps.append(Step("gone", name))
                if not preview:
                    self.resources.pop(name)
                continue
            new_inputs = inputs if inputs is not None else old["inputs"]
            # then a Diff with the arguments swapped, only to label the step
            self.provider.diff(self.urn(name), id_, outs, {**old["inputs"]})
            steps.append(Step("refresh", name, new_inputs, outs))
            if not preview:
                self.resources[name] = {"id": id_, "inputs": new_inputs, "outputs": outs}
        if not preview:
            self._save()
        return steps

    def destroy(self) -> list[Step]:
        return [self.remove(name) for name in reversed(list(self.resources))]

    def static_get(self, name: str, id_: str) -> tuple[str, dict]:
        """``TargetGroup.get``: Read with only ``__provider`` in the inputs."""
        inputs = {} if self.plugin else {"__provider": PROVIDER_BLOB}
        found, outs, _ = self.provider.read(self.urn(name), id_, {}, inputs)
        return found, outs
