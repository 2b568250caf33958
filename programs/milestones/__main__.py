"""The milestone catalog: one data file per milestone in milestones/, plus Python ones.

Declarations are environment-neutral; the stack's config (Pulumi.<stack>.yaml) adds the
org's name prefix and till. Stack outputs: each milestone's Capillary id and name.
"""

import itertools
from datetime import date, timedelta
from pathlib import Path

import pulumi

from pulumi_capillary import (
    DeclarationError,
    PeriodArgs,
    StackSettings,
    TargetArgs,
    TargetGroupArgs,
    load_catalog,
)


def monthly_check_ins(first_month: date, months: int) -> TargetGroupArgs:
    """Check in at a store 4 times every month, for `months` monthly periods."""
    starts = [
        date(
            first_month.year + (first_month.month - 1 + i) // 12,
            (first_month.month - 1 + i) % 12 + 1,
            1,
        )
        for i in range(months + 1)
    ]
    periods = [
        PeriodArgs(
            start_date=start,
            end_date=f"{(end - timedelta(days=1)).isoformat()}T23:59:59Z",
            ref_code=f"Month_{i + 1}",
            description=start.strftime("%B %Y"),
        )
        for i, (start, end) in enumerate(itertools.pairwise(starts))
    ]
    return TargetGroupArgs(
        name="monthly-store-check-ins",
        description="Check in at a store four times a month",
        from_date=starts[0],
        to_date=periods[-1].end_date,
        tracking_type="STREAKS",
        target_evaluation_type="FIXED_CALENDAR_WINDOW",
        frequency_type="MONTHLY",
        frequency=1,
        recurring_cycles=months,
        target_cycle_start_date_iso=starts[0],
        periods=periods,
        targets=[
            TargetArgs(
                name="store_check_in",
                target_entity="EVENT",
                target_type="COUNT",
                event_name="storeCheckIn",
                default_values=[4] * months,
                expression="true",
                expression_json={"arity": "literal", "value": "true", "type": "boolean:primitive"},
                enrolment_method="TRANSACTION",
            )
        ],
    )


config = pulumi.Config()
# the org's name prefix and till, and the groups this stack adopts in its org (by file name)
stack = StackSettings.from_config(config)

# Which provider manages the milestones: the dynamic provider (the default), or the resource
# provider `capillary` (field-level previews, `pulumi import`). A stack moves between them
# with nothing created, deleted or replaced: each is aliased from the other's type.
engine = config.get("engine") or "dynamic"
if engine == "plugin":
    from pulumi_capillary.plugin import TargetGroup, moved_from_dynamic

    options = moved_from_dynamic()
elif engine == "dynamic":
    from pulumi_capillary import TargetGroup, moved_from_plugin

    options = moved_from_plugin()
else:
    raise pulumi.RunError(
        f"capillary-milestones:engine is {engine!r}; set it to dynamic or plugin "
        "(`pulumi config set engine plugin`)."
    )

declarations = {
    **load_catalog(Path(__file__).parent / "milestones"),
    "monthly-store-check-ins": monthly_check_ins(date(2027, 1, 1), months=6),
}


def concrete(key: str, declaration) -> TargetGroupArgs:
    """The declaration for this stack; a data file's problems name the file, no traceback."""
    try:
        return stack.apply(declaration, key)
    except DeclarationError as error:
        raise pulumi.RunError(f"milestones/{key}.yaml: {error}") from None


# every declaration is made concrete (and a data file validated) before any is registered
concrete_args = {key: concrete(key, d) for key, d in sorted(declarations.items())}
milestones = {key: TargetGroup(key, args, opts=options) for key, args in concrete_args.items()}
pulumi.export(
    "milestones",
    {key: {"id": group.target_group_id, "name": group.name} for key, group in milestones.items()},
)
