"""The milestone file's JSON Schema accepts exactly what ``validate`` accepts, enums and
date-times included, so an editor flags ``MONTLY`` as you type."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from pulumi_capillary.declaration.models import parse_inputs
from pulumi_capillary.declaration.schema import milestone_schema
from pulumi_capillary.exceptions import DeclarationError
from tests.engine import ROOT
from tests.support import seed

GOOD = yaml.safe_load((ROOT / "programs/milestones/milestones/product-reviews.yaml").read_text())


def _schema_accepts(data: dict) -> bool:
    try:
        jsonschema.validate(data, milestone_schema())
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("spelling", "valid"),
    [
        ("QUARTERLY", True),
        ("Quarterly", True),
        (" quarterly ", True),
        ("half-yearly", True),
        ("HalfYearly", True),
        ("QUATERLY", False),
        ("MONTLY", False),
        ("", False),
    ],
)
def test_an_enum_accepts_exactly_the_spellings_validate_accepts(spelling, valid):
    data = {**GOOD, "frequency_type": spelling}
    assert _schema_accepts(data) is valid
    body = {**seed("be01.request"), "frequencyType": spelling}
    try:
        parse_inputs(body)
        validated = True
    except DeclarationError:
        validated = False
    assert validated is valid


@pytest.mark.parametrize(
    ("moment", "valid"),
    [
        ("2027-01-01T00:00:00Z", True),
        ("2027-01-01", True),
        ("2027-01-01T10:30+05:30", True),
        ("2027-01-01 10:30:00", True),
        ("01/01/2027", False),
        ("tomorrow", False),
    ],
)
def test_a_date_time_has_its_format(moment, valid):
    assert _schema_accepts({**GOOD, "from_date": moment}) is valid


def test_an_enum_error_suggests_the_nearest_value():
    body = {**seed("be01.request"), "trackingType": "STREAK_S"}
    with pytest.raises(DeclarationError) as caught:
        parse_inputs(body)
    (violation,) = caught.value.violations
    assert violation.rule.endswith("did you mean 'STREAKS'?")
