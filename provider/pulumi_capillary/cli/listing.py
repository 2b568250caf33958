"""``capillary-milestones list``: the target groups of an org, one line each (or JSON)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .org import client, progress


def _summary(group: dict[str, Any]) -> dict[str, Any]:
    periods = group.get("periods") or []
    return {
        "id": group.get("id"),
        "name": group.get("name"),
        "active": group.get("active", True),
        "periods": len(periods),
        "from": periods[0].get("startDate") if periods else None,
        "to": periods[-1].get("endDate") if periods else None,
        "targets": [
            f"{t.get('eventName') or t.get('targetEntity')}/{t.get('targetType')}"
            for t in group.get("targets") or []
        ],
    }


def run(args: argparse.Namespace) -> int:
    pages = client(args).pages(include_periods=True, progress=progress("listed"))
    groups = [_summary(g) for page in pages for g in page]  # a page whole at a time
    if args.json:
        print(json.dumps({"groups": groups, "count": len(groups)}, indent=2, ensure_ascii=False))
        return 0
    print(f"{'ID':>8}  {'NAME':<40} {'PERIODS':<30} TARGETS")
    for g in groups:
        span = f"{g['periods']} ({g['from']}..{g['to']})" if g["periods"] else "0"
        print(f"{g['id']:>8}  {g['name']:<40} {span:<30} {', '.join(g['targets']) or '-'}")
    print(f"{len(groups)} target group(s).")
    return 0
