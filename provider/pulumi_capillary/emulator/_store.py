"""The emulator's memory: groups, ids, the clock, tokens, the request log, and the state file.

Groups live in memory; with ``--state FILE`` every write is also committed to an SQLite
database (WAL, one small transaction per write, before the answer is sent), so a write
costs the same in an org of ten groups or ten thousand, and a SIGKILL loses no acknowledged
write. Each group's JSON is kept frozen beside it, so a long list copies texts under the
lock and renders them outside it, while other requests are served. The request log keeps
the last ``log_limit`` requests and counts those it dropped.
"""

from __future__ import annotations

import json
import random
import secrets
import sqlite3
import threading
import time
from collections import deque
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

    def __init__(
        self, state_file: str | None = None, now: datetime | None = None, log_limit: int = 10_000
    ) -> None:
        self.lock = threading.RLock()
        self.state_file = Path(state_file) if state_file else None
        self.fixed_now = now
        self.faults = Faults()
        self.fault_rng = random.Random()
        self.creation_disabled = False
        self.reads_disabled = False
        self.phase_out_status = 410
        self.absent: set[str] = set()  # endpoints this cluster does not have
        self.token_ttl = 300
        self.tokens: dict[str, float] = {}
        self.log: deque[dict[str, Any]] = deque(maxlen=max(1, log_limit))
        self.dropped = 0  # requests the bounded log no longer holds
        self.groups: dict[int, dict[str, Any]] = {}
        self.next_ids = dict(_FIRST_IDS)
        self.omitted: set[str] = set()  # fields not echoed (PUT /__emulator__/echo)
        self._frozen: dict[int, str] = {}  # each group's JSON, as of its last write
        self._names: dict[str, set[int]] = {}  # live groups by folded name
        self._name_of: dict[int, str] = {}  # and each live group's folded name
        self._db: sqlite3.Connection | None = None
        if self.state_file:
            self._open()

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
        return bool(self._names.get(name.casefold(), set()) - {except_id})

    def named(self, name: str) -> set[int]:
        """The live groups of this name, case-insensitively (from the index)."""
        return set(self._names.get(name.casefold(), set()))

    def text(self, group_id: int) -> str:
        """One group's JSON, as of its last write."""
        return self._frozen[group_id]

    def frozen(self) -> list[str]:
        """The live groups' JSON texts (copied under the lock, rendered outside it)."""
        with self.lock:
            return [self._frozen[g["id"]] for g in self.live()]

    def reset(self) -> None:
        with self.lock:
            self.groups.clear()
            self.log.clear()
            self.dropped = 0
            self.tokens.clear()
            self.next_ids = dict(_FIRST_IDS)
            self.faults = Faults()
            self.creation_disabled = False
            self.reads_disabled = False
            self.absent = set()
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
            if len(self.log) == self.log.maxlen:
                self.dropped += 1
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
    def save(self, group: dict[str, Any] | None = None) -> None:
        """After a write, before its answer: index and freeze ``group`` (every group when
        None), and commit it with the id counters, in one transaction."""
        with self.lock:
            changed = list(self.groups.values()) if group is None else [group]
            if group is None:
                self._frozen.clear()
                self._names.clear()
                self._name_of.clear()
            for item in changed:
                self._index(item)
            if self._db is None:
                return
            with self._db:  # one transaction
                if group is None:
                    self._db.execute("DELETE FROM groups")
                self._db.executemany(
                    "INSERT OR REPLACE INTO groups (id, data) VALUES (?, ?)",
                    [(item["id"], self._frozen[item["id"]]) for item in changed],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO ids (kind, next) VALUES (?, ?)",
                    list(self.next_ids.items()),
                )

    def _index(self, group: dict[str, Any]) -> None:
        old = self._name_of.pop(group["id"], None)  # one entry moves: the cost stays flat
        if old is not None:
            self._names[old].discard(group["id"])
        if not group["_deleted"]:
            folded = group["name"].casefold()
            self._names.setdefault(folded, set()).add(group["id"])
            self._name_of[group["id"]] = folded
        self._frozen[group["id"]] = json.dumps(group)

    def _open(self) -> None:
        assert self.state_file is not None
        legacy = None
        if self.state_file.exists() and self.state_file.read_bytes()[:16] != b"SQLite format 3\x00":
            legacy = self._legacy()  # the JSON file of earlier versions: moved into SQLite
            self.state_file.unlink()
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.state_file, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable if the process dies
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS groups (id INTEGER PRIMARY KEY, data TEXT)"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS ids (kind TEXT PRIMARY KEY, next INTEGER)")
            rows = self._db.execute("SELECT data FROM groups").fetchall()
            groups = {g["id"]: g for g in (json.loads(row[0]) for row in rows)}
            next_ids = dict(self._db.execute("SELECT kind, next FROM ids").fetchall())
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            raise self._unreadable(str(exc) or "not an emulator state file") from None
        if legacy is not None:
            groups, next_ids = legacy
        self.groups = groups
        self.next_ids.update({k: int(v) for k, v in next_ids.items()})
        self.save()

    def _legacy(self) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
        assert self.state_file is not None
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return {g["id"]: g for g in data["groups"]}, dict(data["nextIds"])
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
            raise self._unreadable("not an emulator state file") from None

    def _unreadable(self, reason: str) -> StateFileError:
        return StateFileError(
            f"cannot read the state file {self.state_file} ({reason}); move it away or "
            "delete it to start with an empty org, then start the emulator again."
        )

    def snapshot(self, group: dict[str, Any]) -> dict[str, Any]:
        """A copy without the emulator's private keys (those starting with ``_``)."""
        return {k: deepcopy(v) for k, v in group.items() if not k.startswith("_")}
