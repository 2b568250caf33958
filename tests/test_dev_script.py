"""``make up``/``make down`` (programs/dev.sh): how the CLI is found, and where none can be had.

``make up`` against the real Pulumi CLI is proven in ``tests/real_cli/test_make_up.py``; the
fake ``pulumi`` here only answers ``version``, to test which CLI is chosen. Every test runs
the script of a scratch checkout (``checkout``): the user's own ``.emulator`` and ``.pulumi``
are never touched, so ``make test`` after ``make up`` leaves that emulator running.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.engine import ROOT
from tests.program import scratch_checkout


@pytest.fixture
def checkout(tmp_path) -> Path:
    return scratch_checkout(tmp_path / "checkout")


def _run(*args: str, home, checkout: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        # a closed port on loopback stands for "no network": tests reach nothing else
        "PULUMI_INSTALL_URL": "http://127.0.0.1:9/install.sh",
        "PORT": "18931",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return subprocess.run(
        ["bash", str(checkout / "programs" / "dev.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=checkout,
    )


def test_up_without_pulumi_stops_with_one_clear_sentence(tmp_path, checkout):
    result = _run("up", home=tmp_path, checkout=checkout)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: no Pulumi CLI 3.146.0 or newer was found, Pulumi's installer could not be "
        "reached and Go is not installed; install the Pulumi CLI "
        "(https://www.pulumi.com/docs/iac/download-install/) or Go 1.26, and run again."
    )
    assert not (checkout / ".emulator" / "pid").exists()


def test_down_with_nothing_running(tmp_path, checkout):
    result = _run("down", home=tmp_path, checkout=checkout)
    assert result.returncode == 0 and "no emulator running" in result.stdout


# -- the real `make up` with a fake `pulumi` on PATH --------------------------------------

FAKE_PULUMI = """#!{python}
import json, os, sys
keys = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_PYTHON_CMD",
        "PULUMI_BACKEND_URL", "CAPILLARY_BASE_URL")
with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "env": {{k: os.environ.get(k) for k in keys}}}}))
    log.write("\\n")
marker = os.environ["FAKE_PULUMI_LOG"] + ".applied"
command = sys.argv[1] if len(sys.argv) > 1 else ""
if command == "version":
    print("v" + os.environ.get("FAKE_PULUMI_VERSION", "3.272.0"))
elif command == "preview":
    sys.exit(0 if os.path.exists(marker) else 1)  # changes until the first `up`
elif command == "up":
    open(marker, "w").close()
    print("Resources: 4 created")
"""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fake_env(tmp_path, version: str = "3.272.0") -> dict[str, str]:
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "pulumi"
    fake.write_text(FAKE_PULUMI.format(python=sys.executable))
    fake.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PORT": str(_free_port()),
        "CAPILLARY_EMULATOR_DIR": str(tmp_path / "emulator"),
        "FAKE_PULUMI_LOG": str(tmp_path / "pulumi.log"),
        "FAKE_PULUMI_VERSION": version,
        # the user's own passphrase settings, which the dev stack must not use
        "PULUMI_CONFIG_PASSPHRASE": "my-personal-passphrase",
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "my-passphrase.txt"),
        "CHECKOUT": str(scratch_checkout(tmp_path / "checkout")),
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


def _dev_sh(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    checkout = Path(env["CHECKOUT"])
    return subprocess.run(
        ["bash", str(checkout / "programs" / "dev.sh"), command],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=checkout,
    )


def _calls(env: dict[str, str]) -> list[dict]:
    import json
    from pathlib import Path

    log = Path(env["FAKE_PULUMI_LOG"])
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_make_up_refuses_an_old_cli_before_any_stack_operation(tmp_path):
    env = _fake_env(tmp_path, version="3.120.0")
    env["PULUMI_INSTALL_URL"] = "http://127.0.0.1:9/install.sh"  # a closed port: no network
    result = _dev_sh("up", env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("==> the Pulumi CLI on PATH (")
    assert lines[0].endswith("is older than 3.146.0; looking for another")
    assert lines[-1].startswith("error: no Pulumi CLI 3.146.0 or newer was found")
    assert [c["argv"] for c in _calls(env)] == [["version"]]
    assert not (tmp_path / "emulator" / "pid").exists()


def test_the_cli_is_installed_pinned_without_editing_shell_files(tmp_path):
    """Pulumi's installer, served from loopback: a pinned version, and --no-edit-path."""
    import http.server
    import threading

    env = _fake_env(tmp_path)
    fake = (tmp_path / "bin" / "pulumi").read_text()
    (tmp_path / "bin" / "pulumi").unlink()  # no CLI on PATH: make up installs one
    installer = (
        'echo "$@" > "$HOME/installer-args"\n'
        'mkdir -p "$HOME/.pulumi/bin"\n'
        f"cat > \"$HOME/.pulumi/bin/pulumi\" <<'FAKE'\n{fake}FAKE\n"
        'chmod +x "$HOME/.pulumi/bin/pulumi"\n'
    ).encode()

    class Installer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(installer)))
            self.end_headers()
            self.wfile.write(installer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Installer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env["PULUMI_INSTALL_URL"] = f"http://127.0.0.1:{server.server_port}/"
    try:
        result = _dev_sh("up", env)
    finally:
        server.shutdown()
        thread.join(5)
        _dev_sh("down", env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "installer-args").read_text().split() == [
        "--version",
        "3.276.0",
        "--no-edit-path",
    ]
    assert not (tmp_path / ".bashrc").exists() and not (tmp_path / ".profile").exists()


# -- the emulator `make up` starts: trusted only while it is its own, on the port asked --


def test_make_up_refuses_another_port_than_its_running_emulators(tmp_path):
    env = _fake_env(tmp_path)
    try:
        first = _dev_sh("up", env)
        assert first.returncode == 0, first.stderr
        other = {**env, "PORT": str(_free_port())}
        second = _dev_sh("up", other)
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"error: the emulator make up started runs on port {env['PORT']}, not "
            f"{other['PORT']}; run make down first, or PORT={env['PORT']} make up."
        )
    finally:
        _dev_sh("down", env)


def test_make_up_refuses_a_port_held_by_another_process_naming_it(tmp_path):
    import socket

    env = _fake_env(tmp_path)
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", int(env["PORT"])))
        foreign.listen()
        result = _dev_sh("up", env)
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.startswith(f"error: port {env['PORT']} is already in use by process ")
    assert str(os.getpid()) in message  # this test's own process holds it
    assert message.endswith("stop it, or choose another port: PORT=18080 make up.")
    assert not (tmp_path / "emulator" / "pid").exists()
    assert [c["argv"][0] for c in _calls(env)] == ["version"]  # no stack operation


def test_make_down_returns_once_the_port_is_free(tmp_path):
    import socket

    env = _fake_env(tmp_path)
    up = _dev_sh("up", env)
    assert up.returncode == 0, up.stderr
    down = _dev_sh("down", env)
    assert down.returncode == 0 and f"port {env['PORT']} is free" in down.stdout
    with socket.socket() as again:  # at once: a new emulator could bind it
        again.bind(("127.0.0.1", int(env["PORT"])))


def test_make_clean_leaves_nothing_ignored(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    for tracked in ("Makefile", ".gitignore", "programs/dev.sh"):  # as in this work tree
        (clone / tracked).write_text((ROOT / tracked).read_text())
    for made in (
        ".venv/bin",
        ".pytest_cache",
        ".mypy_cache/3.11",
        "build/lib",
        ".pulumi/stacks",
        ".emulator",
        "provider/pulumi_capillary/__pycache__",
        "provider/pulumi_capillary.egg-info",
        ".import_linter_cache",
    ):
        (clone / made).mkdir(parents=True, exist_ok=True)
        (clone / made / "x").write_text("x")
    assert subprocess.run(
        ["git", "status", "--ignored", "--porcelain"], cwd=clone, capture_output=True, text=True
    ).stdout
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["make", "-s", "clean"], cwd=clone, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    left = subprocess.run(
        ["git", "status", "--ignored", "--porcelain"], cwd=clone, capture_output=True, text=True
    ).stdout
    assert [line for line in left.splitlines() if line[:2] in ("!!", "??")] == []


def test_the_suite_leaves_a_running_make_up_emulator_alive(tmp_path):
    """`make up`, then `make test` (the README's order): the tests that stop emulators run in
    a checkout whose own `make up` emulator is running, and it is still running afterwards;
    and the session's guard (tests/conftest.py) sees any change to that state."""
    import shutil
    import sys

    from tests.conftest import working_state

    env = _fake_env(tmp_path)
    del env["CAPILLARY_EMULATOR_DIR"]  # the checkout's own .emulator, as a user's make up
    checkout = Path(env["CHECKOUT"])
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "tests", checkout / "tests", ignore=ignore)
    up = _dev_sh("up", env)
    assert up.returncode == 0, up.stderr
    try:
        before = working_state(checkout)
        assert before["emulator alive"] is True
        tests = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-n",
                "0",
                "tests/test_dev_script.py",
                "-k",
                "down_with_nothing or returns_once",
            ],
            cwd=checkout,
            env={**os.environ, "PORT": "8080"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert working_state(checkout) == before  # the emulator lives, its files unchanged
        stopped = _dev_sh("down", env)  # what the old test did to the user's emulator
        assert stopped.returncode == 0
        assert working_state(checkout) != before  # the guard would fail such a run
    finally:
        _dev_sh("down", env)


def test_make_clean_removes_the_dev_stack_only(tmp_path, checkout):
    stacks = checkout / ".pulumi" / ".pulumi" / "stacks" / "capillary-milestones"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text("{}")
    (stacks / "uat.json").write_text("{}")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def clean() -> subprocess.CompletedProcess:
        return subprocess.run(
            ["make", "-s", "clean"], cwd=checkout, env=env, capture_output=True, text=True
        )

    refused = clean()
    assert refused.returncode != 0
    assert "also holds the state of stack(s) uat;" in refused.stderr
    assert (stacks / "uat.json").exists() and (stacks / "dev.json").exists()
    assert (checkout / ".venv").exists()  # nothing else removed either
    (stacks / "uat.json").unlink()
    (checkout / ".venv").unlink()  # the suite's own venv: never removed through the link
    done = clean()
    assert done.returncode == 0, done.stderr
    assert not (checkout / ".pulumi").exists()


def test_make_env_prints_export_lines_only(tmp_path):
    env = _fake_env(tmp_path)
    checkout = Path(env["CHECKOUT"])
    up = _dev_sh("up", env)
    assert up.returncode == 0, up.stderr
    try:
        printed = subprocess.run(
            ["make", "-s", "env"], cwd=checkout, env=env, capture_output=True, text=True
        )
        assert printed.returncode == 0, printed.stderr
        lines = printed.stdout.splitlines()
        assert all(line.startswith(("export ", "unset ", "# ")) for line in lines), lines
        assert f'export PULUMI_BACKEND_URL="file://{checkout}/.pulumi"' in lines
        assert f'export CAPILLARY_BASE_URL="http://127.0.0.1:{env["PORT"]}"' in lines
        shown = subprocess.run(
            ["bash", "-c", 'eval "$(make -s env)" && echo "$PULUMI_PYTHON_CMD" && which pulumi'],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.split()
        assert shown == [f"{checkout}/.venv/bin/python", f"{tmp_path}/bin/pulumi"]
    finally:
        _dev_sh("down", env)
