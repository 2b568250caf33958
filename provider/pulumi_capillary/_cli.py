"""``capillary-milestones``: check milestone data files, export existing groups, list an org."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._config import REGIONS
from ._exceptions import CapillaryError, DeclarationError

DEFAULT_DIR = Path("programs/milestones/milestones")


def _validate(args: argparse.Namespace) -> int:
    from ._catalog import milestone_files, read_milestone, validate_declaration

    paths = args.paths or [DEFAULT_DIR if DEFAULT_DIR.is_dir() else Path(".")]
    files = milestone_files(paths)
    if not files:
        print(f"no milestone files (*.yaml) in {', '.join(map(str, paths))}", file=sys.stderr)
        return 1
    problems = 0
    for path in files:
        try:
            validate_declaration(read_milestone(path))
        except DeclarationError as error:
            problems += len(error.violations)
            for violation in error.violations:
                print(f"{path}: {violation}")
    if problems:
        print(
            f"{problems} problem(s) in {len(files)} file(s); fix them before merging.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(files)} milestone file(s) valid.")
    return 0


def _client(args: argparse.Namespace):
    import os

    from ._client import CapillaryClient
    from ._config import load_settings

    environ = dict(os.environ)
    if args.region:
        environ["CAPILLARY_REGION"] = args.region
    if args.base_url:
        environ["CAPILLARY_BASE_URL"] = args.base_url
    return CapillaryClient(load_settings(None, environ))


def _export(args: argparse.Namespace) -> int:
    from ._catalog import dump_yaml, to_declaration
    from ._fields import declared_from_recorded
    from ._spec import canonical_or_none

    recorded = _client(args).read(args.id)
    body = declared_from_recorded(recorded)
    declaration = to_declaration(canonical_or_none(body) or body)
    if args.adopt:
        declaration["adopt_existing_id"] = int(args.id)
    header = (
        f"# Exported from target group {args.id} ({recorded.get('name')!r}).\n"
        "# Remove any stack name prefix from `name` before committing.\n"
    )
    text = header + dump_yaml(declaration)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _list(args: argparse.Namespace) -> int:
    groups = _client(args).list_groups(include_periods=True)
    for group in groups:
        periods = group.get("periods") or []
        span = f"{periods[0]['startDate']}..{periods[-1]['endDate']}" if periods else "-"
        targets = ", ".join(
            f"{t.get('eventName') or t.get('targetEntity')}/{t.get('targetType')}"
            for t in group.get("targets") or []
        )
        print(f"{group['id']:>8}  {group['name']:<40} {len(periods)} period(s) {span}  {targets}")
    print(f"{len(groups)} target group(s).")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capillary-milestones",
        description="Work with Capillary milestones declared as code.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser(
        "validate",
        help="check milestone data files offline, with the provider's own rules",
        description="Exit 1 and print file, field path, value and rule for every problem.",
    )
    validate.add_argument(
        "paths", nargs="*", type=Path, help=f"files or directories (default: {DEFAULT_DIR})"
    )
    validate.set_defaults(run=_validate)
    for name, run, text in (
        ("export", _export, "write the YAML declaration of an existing target group"),
        ("list", _list, "list the target groups of an org"),
    ):
        command = commands.add_parser(
            name,
            help=text,
            description=text + ". Credentials come from CAPILLARY_USERNAME/"
            "CAPILLARY_PASSWORD or CAPILLARY_OAUTH_KEY/CAPILLARY_OAUTH_SECRET.",
        )
        command.add_argument("--region", choices=sorted(REGIONS))
        command.add_argument("--base-url", help="overrides the region's host")
        command.set_defaults(run=run)
        if name == "export":
            command.add_argument("--id", required=True, type=int, help="target group id")
            command.add_argument("--output", "-o", help="file to write (default: stdout)")
            command.add_argument(
                "--adopt",
                action="store_true",
                help="add adopt_existing_id, to manage this very group",
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except CapillaryError as error:
        print(f"capillary-milestones: {error}", file=sys.stderr)
        return 1


def emulator(argv: list[str] | None = None) -> int:
    """``capillary-emulator``: one sentence, not a traceback, without the emulator extra."""
    try:
        from .emulator._cli import main as serve
    except ModuleNotFoundError as missing:
        print(f"capillary-emulator: {missing}", file=sys.stderr)
        return 1
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
