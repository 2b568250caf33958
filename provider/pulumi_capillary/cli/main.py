"""``capillary-milestones``: check milestone files, audit an org, export groups, list an org.

Exit codes: 0 when all is well, 1 when something is invalid, differs or fails; ``diff`` keeps
1 for "differs" and answers 2 for an error that stops it (bad files, bad credentials, the API
down).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.settings import REGIONS
from ..exceptions import CapillaryError, DeclarationError

if TYPE_CHECKING:
    from ..api.client import CapillaryClient

DEFAULT_DIR = Path("programs/milestones/milestones")
SCHEMA_FILE = Path("programs/milestones/milestone.schema.json")
PREFIX = "capillary-milestones:namePrefix"
TILL = "capillary-milestones:preferredTillId"


def _files(paths: list[Path]) -> list[Path]:
    from ..declaration.catalog import milestone_files

    return milestone_files(paths or [DEFAULT_DIR if DEFAULT_DIR.is_dir() else Path(".")])


def _validate(args: argparse.Namespace) -> int:
    from ..declaration.catalog import read_milestone, validate_declaration

    files = _files(args.paths)
    if not files:
        print(f"no milestone files (*.yaml) in {', '.join(map(str, args.paths))}", file=sys.stderr)
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


def _stack_config(args: argparse.Namespace) -> dict[str, Any]:
    """The stack file's config (``--stack``), with ``--region``/``--base-url`` on top."""
    config: dict[str, Any] = {}
    if getattr(args, "stack", None):
        import yaml

        path = Path(f"Pulumi.{args.stack}.yaml")
        try:
            config = dict(yaml.safe_load(path.read_text(encoding="utf-8"))["config"])
        except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise CapillaryError(f"cannot read the stack file {path}: {exc}") from None
    if args.region:
        config.pop("capillary:baseUrl", None)
        config["capillary:region"] = args.region
    if args.base_url:
        config["capillary:baseUrl"] = args.base_url
    return config


def _client(args: argparse.Namespace) -> CapillaryClient:
    """A client from the stack file and flags, secrets and the rest from the environment."""
    from ..api.client import CapillaryClient
    from ..api.settings import load_settings

    config = _stack_config(args)
    return CapillaryClient(load_settings(lambda key: config.get(key), os.environ))


def _export(args: argparse.Namespace) -> int:
    from .export import export_all, exported, file_text

    client = _client(args)
    config = _stack_config(args)
    till = int(config[TILL]) if config.get(TILL) is not None else None
    strip = args.strip_prefix if args.strip_prefix is not None else config.get(PREFIX) or ""
    if args.all:
        if not args.output:
            raise CapillaryError("export --all writes one file per group: name a directory with -o")
        groups = client.list_groups()
        if args.active_only:
            groups = [g for g in groups if g.get("active", True)]
        schema = os.path.relpath(SCHEMA_FILE.resolve(), Path(args.output).resolve())
        written = export_all(groups, client.read, Path(args.output), strip, schema, till)
        print(f"wrote {len(written)} milestone file(s) to {args.output}")
        return 0
    if args.id is None:
        raise CapillaryError("export needs --id ID, or --all")
    recorded = client.read(args.id)
    declaration = exported(recorded, strip, till)
    if args.adopt:
        declaration["adopt_existing_id"] = int(args.id)
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        schema = os.path.relpath(SCHEMA_FILE.resolve(), output.parent.resolve())
        output.write_text(file_text(declaration, recorded, schema), encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(file_text(declaration, recorded, "../milestone.schema.json"))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from ..declaration.catalog import read_milestone, validate_declaration
    from .audit import audit

    config = _stack_config(args)
    prefix = args.name_prefix if args.name_prefix is not None else config.get(PREFIX, "")
    till = config.get(TILL)
    stack_till = int(till) if till is not None else None
    declared: dict[str, dict[str, Any]] = {}
    problems = []
    for path in _files(args.paths):
        try:
            declared[str(path)] = validate_declaration(
                read_milestone(path), prefix or "", stack_till
            )
        except DeclarationError as error:
            problems += [f"{path}: {v}" for v in error.violations]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("capillary-milestones: fix the files, then run diff again.", file=sys.stderr)
        return 2
    client = _client(args)
    report = audit(declared, client.list_groups(), client.read, prefix or "")
    sys.stdout.write(report.to_json() + "\n" if args.json else report.to_text())
    return report.exit_code


def _recover(args: argparse.Namespace) -> int:
    import tempfile

    from ..api.client import CapillaryClient
    from ..api.settings import load_settings
    from .recover import plan_recovery, pulumi, recovered, stack_config

    config = stack_config(args.stack)
    state = json.loads(pulumi(args.stack, "stack", "export"))
    deployment = state.get("deployment") or {}
    client = CapillaryClient(load_settings(config.get, os.environ))
    findings = plan_recovery(deployment, client.list_groups(), client.read)
    if not findings:
        print(f"stack {args.stack} has no pending create of a milestone: nothing to recover.")
        return 0
    for finding in findings:
        print(finding)
    certain = [f for f in findings if f.record is not None]
    if certain and not args.yes:
        print(
            f"{len(certain)} of {len(findings)} pending create(s) can be recorded; run "
            "again with --yes to record them in the stack."
        )
        return 0
    if certain:
        state["deployment"] = recovered(deployment, findings)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
            json.dump(state, file)
            file.flush()
            pulumi(args.stack, "stack", "import", "--file", file.name)
        print(
            f"recorded {len(certain)} milestone(s) in stack {args.stack}; `pulumi up` "
            "now leaves them as they are."
        )
    left = len(findings) - len(certain)
    if left:
        print(f"{left} pending create(s) left alone, for the reasons above.", file=sys.stderr)
    return 1 if left else 0


def _schema(args: argparse.Namespace) -> int:
    from ..declaration.schema import milestone_schema

    sys.stdout.write(json.dumps(milestone_schema(), indent=2, sort_keys=True) + "\n")
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


def _org(command: argparse.ArgumentParser) -> None:
    command.add_argument("--region", choices=sorted(REGIONS))
    command.add_argument("--base-url", help="overrides the region's host")
    command.add_argument(
        "--stack",
        help="read the org's region, OAuth key and name prefix from Pulumi.STACK.yaml",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capillary-milestones",
        description="Work with Capillary milestones declared as code. Credentials come from "
        "CAPILLARY_USERNAME/CAPILLARY_PASSWORD or CAPILLARY_OAUTH_KEY/CAPILLARY_OAUTH_SECRET.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    paths_help = f"files or directories (default: {DEFAULT_DIR})"

    validate = commands.add_parser(
        "validate",
        help="check milestone files offline, with the provider's own rules",
        description="Exit 1 and print file, field path, value and rule for every problem.",
    )
    validate.add_argument("paths", nargs="*", type=Path, help=paths_help)
    validate.set_defaults(run=_validate)

    diff = commands.add_parser(
        "diff",
        help="compare milestone files with an org, with the provider's own comparison",
        description="Exit 0 when every declared milestone is the same in the org, 1 when "
        "anything differs, is missing or is not declared, 2 on an error.",
    )
    diff.add_argument("paths", nargs="*", type=Path, help=paths_help)
    _org(diff)
    diff.add_argument("--name-prefix", help="the org's name prefix (default: the stack's)")
    diff.add_argument("--json", action="store_true", help="one JSON document")
    diff.set_defaults(run=_diff)

    export = commands.add_parser("export", help="write existing target groups as milestone files")
    _org(export)
    export.add_argument("--id", type=int, help="one target group id")
    export.add_argument("--all", action="store_true", help="every group of the org")
    export.add_argument("--output", "-o", help="file (--id) or directory (--all)")
    export.add_argument(
        "--strip-prefix", help="remove this prefix from names (default: the stack's namePrefix)"
    )
    export.add_argument("--active-only", action="store_true", help="leave inactive groups out")
    export.add_argument(
        "--adopt", action="store_true", help="add adopt_existing_id, to manage this very group"
    )
    export.set_defaults(run=_export)

    listing = commands.add_parser("list", help="list the target groups of an org")
    _org(listing)
    listing.set_defaults(run=_list)

    recover = commands.add_parser(
        "recover",
        help="record in the stack the milestones a killed `pulumi up` created",
        description="Reads the stack's pending creates (pulumi stack export) and records each "
        "one whose group is certain: exactly one group of the org has its name and it matches "
        "the declaration. Shows what it would do; --yes does it (pulumi stack import). Run it "
        "where you run pulumi, after `pulumi cancel` if the stack is still locked.",
    )
    recover.add_argument("--stack", required=True, help="the Pulumi stack to recover")
    recover.add_argument("--yes", action="store_true", help="record them (default: only show)")
    recover.set_defaults(run=_recover)

    schema = commands.add_parser("schema", help="print the JSON Schema of a milestone file")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CapillaryError as error:
        print(f"capillary-milestones: {error}", file=sys.stderr)
        return 2 if args.command == "diff" else 1
    return code


def emulator(argv: list[str] | None = None) -> int:
    """``capillary-emulator``: one sentence, not a traceback, without the emulator extra."""
    try:
        from ..emulator._cli import main as serve
    except ModuleNotFoundError as missing:
        print(f"capillary-emulator: {missing}", file=sys.stderr)
        return 1
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
