"""``capillary-milestones``: check milestone files, audit an org, export, list and recover.

One exit code per kind of outcome, for every command, equal to ``--json``'s ``exitCode``:
0 all is well; 1 the command ran and found something (an invalid file, a difference, a
missing or undeclared milestone, a pending create left alone); 2 the command could not do
its job (its options, the settings, the credentials, Capillary or the Pulumi CLI failed).
With ``--json`` a command prints exactly one JSON document on stdout, errors included
(``{"error": ..., "exitCode": 2}``).
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import import_module
from pathlib import Path

from ..exceptions import CapillaryError, ReadsPhasedOutError
from .org import DEFAULT_DIR, add_org_options

OK, FOUND, FAILED = 0, 1, 2  # all is well; something was found; the command could not run


def _version() -> str:
    from .._version import __version__

    return __version__


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    module: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    """A subcommand whose ``run`` lives in ``cli/<module>.py``, loaded when it runs."""
    sentence = summary[0].upper() + summary[1:] + ("" if summary.endswith(("?", ".")) else ".")
    parser = commands.add_parser(name, help=summary, description=f"{sentence} {description}")
    parser.set_defaults(module=module)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capillary-milestones",
        description="Work with Capillary milestones declared as code. Credentials come from "
        "CAPILLARY_USERNAME/CAPILLARY_PASSWORD or CAPILLARY_OAUTH_KEY/CAPILLARY_OAUTH_SECRET.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    paths_help = f"milestone files or folders (default: {DEFAULT_DIR})"

    validate = _command(
        commands,
        "validate",
        "validate",
        "check milestone files offline, with the provider's own rules",
        "Prints file, field path (as the file spells it), value and rule for every problem, "
        "a name declared in two files included; exits 1 if there is any.",
    )
    validate.add_argument("paths", nargs="*", type=Path, help=paths_help)

    diff = _command(
        commands,
        "diff",
        "audit",
        "audit an org: does it hold exactly what the program declares for a stack?",
        "Without files it audits the program (programs/milestones: its data files and its "
        "Python milestones) for --stack; with files, those files (an invalid file is reported "
        "and the others audited). Exits 0 when every milestone is the same in the org, 1 when "
        "anything differs, is missing, is not declared or is invalid, 2 when the audit could "
        "not run.",
    )
    diff.add_argument("paths", nargs="*", type=Path, help="milestone files or folders instead")
    add_org_options(diff)
    diff.add_argument("--name-prefix", help="the org's name prefix (default: the stack's)")
    diff.add_argument(
        "--also-stack",
        action="append",
        metavar="STACK",
        help="another stack whose milestones live in the same org: audited together, a group "
        "two stacks declare is reported",
    )
    report = diff.add_mutually_exclusive_group()
    report.add_argument("--json", action="store_true", help="one JSON document")
    report.add_argument("--markdown", action="store_true", help="Markdown, for a job summary")

    export = _command(
        commands,
        "export",
        "export",
        "write existing target groups as milestone files",
        "Files are environment-neutral: --stack strips the stack's name prefix and leaves out "
        "a till equal to the stack's own; fields equal to their defaults are left out.",
    )
    add_org_options(export)
    one = export.add_mutually_exclusive_group()
    one.add_argument("--id", type=int, help="one target group id")
    one.add_argument("--all", action="store_true", help="every group of the org")
    export.add_argument("--output", "-o", help="file (--id) or folder (--all), made if need be")
    export.add_argument(
        "--strip-prefix", help="remove this prefix from names (default: the stack's namePrefix)"
    )
    export.add_argument("--active-only", action="store_true", help="leave inactive groups out")
    export.add_argument(
        "--adopt", action="store_true", help="with --id: add adopt_existing_id, to manage it"
    )
    export.add_argument(
        "--import-file",
        metavar="FILE",
        help="also write Pulumi's bulk import file (pulumi import --file FILE), each group "
        "named by its data file, for the resource provider; with --stack, groups a stack of "
        "the project already manages are left out, each named",
    )

    listing = _command(
        commands,
        "list",
        "listing",
        "list the target groups of an org",
        "One line each (id, name, periods, targets) under a header, or --json.",
    )
    add_org_options(listing)
    listing.add_argument("--json", action="store_true", help="one JSON document")

    recover = _command(
        commands,
        "recover",
        "recover",
        "record in the stack the milestones a killed `pulumi up` created",
        "Reads the stack's pending creates (pulumi stack export) and records each one whose "
        "group is certain: exactly one group of the org has its name and it matches the "
        "declaration. Shows what it would do; --yes does it (pulumi stack import). Run it "
        "where you run pulumi, after `pulumi cancel` if the stack is still locked.",
    )
    recover.add_argument("--stack", required=True, help="the Pulumi stack to recover")
    recover.add_argument("--yes", action="store_true", help="record them (default: only show)")

    review = _command(
        commands,
        "review",
        "review",
        "review what applying a stack would do, before it is approved",
        "Runs the real `pulumi preview --save-plan` (with --policy-pack), reads the stack's "
        "state and the org, and says first whether applying would overwrite an edit made in "
        "the org or be refused, then the plan field by field. Needs no write credential (with "
        "CAPILLARY_READ_OAUTH_KEY/CAPILLARY_READ_OAUTH_SECRET it reads with a READ-scoped "
        "client). Exits 0 when the plan can be approved, 1 when it should not be, 2 on an "
        "error.",
    )
    review.add_argument("--stack", required=True, help="the Pulumi stack to review")
    review.add_argument(
        "--plan-file", required=True, help="where to save the plan that `apply` applies"
    )
    review.add_argument("--policy-pack", help="a policy pack the preview runs (programs/policy)")
    review.add_argument(
        "--policy-pack-config", help="the pack's settings, a JSON file (`pulumi preview`'s option)"
    )
    review.add_argument("--summary", help="append the report, as Markdown, to this file")
    review.add_argument("--markdown", action="store_true", help="print Markdown")

    apply = _command(
        commands,
        "apply",
        "apply",
        "apply exactly the plan a review saved, or nothing",
        "Compares the plan a fresh preview saves with the reviewed one; if they differ, writes "
        "nothing and says to review again; else runs `pulumi up --plan`. Exits 0 when "
        "applied, 1 when the reviewed plan no longer applies, 2 on an error.",
    )
    apply.add_argument("--stack", required=True, help="the Pulumi stack to apply")
    apply.add_argument("--plan-file", required=True, help="the plan the review saved")

    _command(
        commands,
        "schema",
        "schema",
        "print the JSON Schema of a milestone file",
        "The schema editors use (programs/milestones/milestone.schema.json is this output).",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = import_module(f".{args.module}", __package__).run(args)
    except CapillaryError as caught:
        error = caught
        if isinstance(caught, ReadsPhasedOutError):
            error = caught.because(f"`capillary-milestones {args.command}` cannot read the org")
        code = FAILED
        if getattr(args, "json", False):
            print(json.dumps({"error": str(error), "exitCode": code}, ensure_ascii=False))
        else:
            print(f"capillary-milestones: {error}", file=sys.stderr)
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
