"""``python -m tests.real_cli.recording_server``: the SDK's dynamic-provider server, recording
what reaches the provider.

Every request the server receives is appended to the JSON-lines file ``$CAPILLARY_RECORD``,
then handled by the SDK's own servicer, unchanged. The same recorder runs under the real
engine (through ``PULUMI_PYTHON_CMD``) and under the engine double (``ProviderProcess``), so
``test_double.py`` can compare what the provider is given by each.
"""

from __future__ import annotations

import json
import os
import runpy
import threading
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import provider_pb2_grpc

METHODS = ("Configure", "Check", "Diff", "Create", "Update", "Read", "Delete")
_LOCK = threading.Lock()
_add = provider_pb2_grpc.add_ResourceProviderServicer_to_server


class _Recording:
    def __init__(self, servicer: Any) -> None:
        self._servicer = servicer

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._servicer, name)
        if name not in METHODS:
            return method

        def recorded(request: Any, context: Any) -> Any:
            line = json.dumps({"method": name, "request": json_format.MessageToDict(request)})
            with _LOCK, open(os.environ["CAPILLARY_RECORD"], "a", encoding="utf-8") as log:
                log.write(line + "\n")
            return method(request, context)

        return recorded


def _add_recording(servicer: Any, server: Any) -> None:
    _add(_Recording(servicer), server)


provider_pb2_grpc.add_ResourceProviderServicer_to_server = _add_recording
runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
