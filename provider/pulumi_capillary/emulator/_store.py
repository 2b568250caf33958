"""The emulator's memory: groups, ids, the clock, tokens, the request log, and the state file."""

from __future__ import annotations

import json
import os
import random
import secrets
import tempfile
import threading
import time
from copy import deepcopy
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._faults import Faults

# Where the counters start: the seed page's ids are of this size.
_FIRST_IDS = {"group": 2911, "period": 31623, "target": 3147, "value": 128501, "ruleset": 126470218}


class StateFileError(Exception):
    """The ``--state`` file cannot be read: one sentence for the command to print."""


class Store:
    """Everything the emulated org holds; one lock guards it all (requests are short)."""

    def __init__(self, state_file: str | None = None, now: datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.state_file = Path(state_file) if state_file else None
        self.fixed_now = now
        self.faults = Faults()
        self.fault_rng = random.Random()
        self.creation_disabled = False
        self.phase_out_status = 410
        self.token_ttl = 300
        self.tokens: dict[str, float] = {}
        self.log: list[dict[str, Any]] = []
        self.groups: dict[int, dict[str, Any]] = {}
        self.next_ids = dict(_FIRST_IDS)
        self.omitted: set[str] = set()  # fields not echoed (PUT /__emulator__/echo)
        if self.state_file:
            self._clean_stray_files()
            if self.state_file.exists():
                self._load()

    # -- clock ---------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(timezone.utc)

    # -- ids -----------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        with self.lock:
            value = self.next_ids[kind]
            self.next_ids[kind] = value + 1
            return value

    # -- groups --------------------------------------------------------------------------
    def live(self) -> list[dict[str, Any]]:
        return [g for g in self.groups.values() if not g["_deleted"]]

    def find_live(self, group_id: int) -> dict[str, Any] | None:
        group = self.groups.get(group_id)
        return None if group is None or group["_deleted"] else group

    def name_taken(self, name: str, except_id: int | None = None) -> bool:
        folded = name.casefold()
        return any(g["name"].casefold() == folded and g["id"] != except_id for g in self.live())

    def reset(self) -> None:
        with self.lock:
            self.groups.clear()
            self.log.clear()
            self.tokens.clear()
            self.next_ids = dict(_FIRST_IDS)
            self.faults = Faults()
            self.creation_disabled = False
            self.omitted = set()
            self.save()

    # -- tokens --------------------------------------------------------------------------
    def issue_token(self) -> tuple[str, int]:
        token = "emu." + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = self.now().timestamp() + self.token_ttl
        return token, self.token_ttl

    def token_valid(self, token: str) -> bool:
        expiry = self.tokens.get(token)
        return expiry is not None and self.now().timestamp() < expiry

    # -- request log ---------------------------------------------------------------------
    def record_request(
        self,
        method: str,
        path: str,
        query: str,
        status: int | None,
        fault: str | None,
        client: str | None = None,
    ) -> None:
        with self.lock:
            self.log.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "status": status,
                    "fault": fault,
                    "time": time.time(),
                    "client": client,
                }
            )

    # -- persistence ---------------------------------------------------------------------
    def save(self) -> None:
        """Write atomically (temp file, fsync, rename) before the answer is sent."""
        if not self.state_file:
            return
        with self.lock:
            payload = json.dumps({"groups": list(self.groups.values()), "nextIds": self.next_ids})
        directory = self.state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=self.state_file.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.state_file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _clean_stray_files(self) -> None:
        """Temporary files a killed emulator left behind (``save`` renames them in place)."""
        assert self.state_file is not None
        pattern = self.state_file.name + "*.tmp"
        for stray in self.state_file.parent.glob(pattern):
            stray.unlink(missing_ok=True)

    def _load(self) -> None:
        assert self.state_file is not None
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            groups = {g["id"]: g for g in data["groups"]}
            next_ids = {k: int(v) for k, v in data["nextIds"].items()}
        except (
            OSError,
            UnicodeDecodeError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not an emulator state file"
            raise StateFileError(
                f"cannot read the state file {self.state_file} ({reason}); move it away or "
                "delete it to start with an empty org, then start the emulator again."
            ) from None
        self.groups = groups
        self.next_ids.update(next_ids)

    def snapshot(self, group: dict[str, Any]) -> dict[str, Any]:
        """A copy without the emulator's private keys (those starting with ``_``)."""
        return {k: deepcopy(v) for k, v in group.items() if not k.startswith("_")}
