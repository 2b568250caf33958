"""A real PostgreSQL server for the team-backend tests, started as the emulator is.

It lives in a temporary folder, listens on a free loopback port only, and is stopped by the
PID it wrote (``postmaster.pid``) — ``pg_ctl`` daemonizes it, so it is no child of ours. The
server refuses to run as root: as root, every PostgreSQL command runs as the ``postgres`` user
and the folder is theirs.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: PATH's, else Debian's versioned folder."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaps has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """``with PostgresServer(bin) as db: db.url`` — a Pulumi ``postgres://`` backend URL."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = 0
        self.pid = 0
        self.folder = Path()

    def url(self, table: str = "pulumi_state") -> str:
        """The backend URL of one state table: a table per test keeps tests apart."""
        return f"postgres://pulumi@127.0.0.1:{self.port}/postgres?sslmode=disable&table={table}"

    def query(self, sql: str) -> list[str]:
        """Rows of one SQL query, through ``psql`` (what an operator would run)."""
        done = subprocess.run(
            [
                str(self.bin_dir / "psql") if (self.bin_dir / "psql").exists() else "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "pulumi",
                "-d",
                "postgres",
                "-At",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.splitlines()

    def _run(self, *argv: str) -> None:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if os.geteuid() == 0:  # the server refuses root
            command = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}{done.stderr}{tail}")

    def __enter__(self) -> PostgresServer:
        self.folder = Path(tempfile.mkdtemp(prefix="capillary-postgres-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        data = self.folder / "data"
        try:
            self._run("initdb", "-D", str(data), "-A", "trust", "-U", "pulumi", "--no-sync")
            self.port = _free_port()
            options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            log = str(self.folder / "server.log")
            self._run(
                "pg_ctl", "-D", str(data), "-o", options, "-l", log, "-w", "-t", "60", "start"
            )
            self.pid = int((data / "postmaster.pid").read_text().split()[0])
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)  # "fast" shutdown: ends the sessions too
            deadline = time.monotonic() + 30
            while _alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.pid = 0
        shutil.rmtree(self.folder, ignore_errors=True)
