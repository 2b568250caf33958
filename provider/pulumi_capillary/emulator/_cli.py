"""``capillary-emulator``: run the local Capillary target-group API."""

from __future__ import annotations

import argparse
import sys

from ._app import Credentials, parse_now
from ._server import EmulatorServer
from ._store import StateFileError
from ._validation import Rejected


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pulumi-capillary")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    defaults = Credentials()
    parser = argparse.ArgumentParser(
        prog="capillary-emulator",
        description="A local, faithful emulator of Capillary's target-group (milestone) API.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port, 0 for any")
    parser.add_argument("--username", default=defaults.username, help="Basic auth till code")
    parser.add_argument("--password", default=defaults.password, help="Basic auth password")
    parser.add_argument("--oauth-key", default=defaults.oauth_key, help="OAuth client key")
    parser.add_argument("--oauth-secret", default=defaults.oauth_secret, help="OAuth secret")
    parser.add_argument("--token-ttl", type=int, default=300, help="OAuth token lifetime, s")
    parser.add_argument(
        "--now",
        default=argparse.SUPPRESS,
        help="freeze the clock at this ISO date-time (default: the real clock)",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="keep the data in FILE across restarts (default: in memory)",
    )
    parser.add_argument(
        "--log-limit", type=int, default=10_000, help="requests the control API's log keeps"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        now = parse_now(args.now) if getattr(args, "now", None) else None
    except Rejected as rejected:
        print(f"capillary-emulator: --now: {rejected.message}", file=sys.stderr)
        return 2
    credentials = Credentials(args.username, args.password, args.oauth_key, args.oauth_secret)
    try:
        state = getattr(args, "state", None)
        server = EmulatorServer(
            args.host, args.port, credentials, now, state, args.token_ttl, args.log_limit
        )
    except StateFileError as exc:
        print(f"capillary-emulator: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"capillary-emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
            "choose another --port.",
            file=sys.stderr,
        )
        return 1
    print(f"Capillary emulator serving {server.url}", flush=True)
    server.serve_forever()
    print("Capillary emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
