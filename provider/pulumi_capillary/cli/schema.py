"""``capillary-milestones schema``: the JSON Schema of a milestone file."""

from __future__ import annotations

import argparse
import json
import sys

from ..declaration.schema import milestone_schema


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(milestone_schema(), indent=2, sort_keys=True) + "\n")
    return 0
