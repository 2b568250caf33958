"""The value types of a declaration: how each accepts the spellings the API documents.

Dates take ISO 8601 with or without an offset (naive means UTC, the server's zone), Python
``date``/``datetime`` too; numbers arrive as floats from Pulumi; enums take their documented
spellings ("Streak", "Half-yearly", "SUM"). Each type turns what it accepts into one
canonical value.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

_T = TypeVar("_T")


def parse_moment(value: Any) -> datetime:
    """An aware datetime; naive values (text or Python) are UTC, the server's zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif not isinstance(value, str):
        raise PydanticCustomError("datetime", "must be an ISO 8601 date-time string")
    else:
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError(
                "datetime", "must be an ISO 8601 date-time such as 2026-01-01T10:30:00+05:30"
            ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    try:
        moment.astimezone(timezone.utc)  # Capillary records the date part in UTC
    except OverflowError:
        raise PydanticCustomError(
            "datetime", "must lie between the years 1 and 9999 once converted to UTC"
        ) from None
    return moment


@lru_cache(maxsize=8192)
def utc_moment(text: str) -> datetime:
    """A declared or recorded date-time in UTC (``YYYY-MM-DD`` is UTC midnight); cached, as
    check and diff read the same dates again and again. Raises ``ValueError`` if invalid."""
    return parse_moment(text).astimezone(timezone.utc)


def format_moment(moment: datetime) -> str:
    """ISO 8601 with ``Z`` for UTC, milliseconds only when there are some."""
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _moment(value: Any) -> str:
    return _moment_text(value) if isinstance(value, str) else format_moment(parse_moment(value))


@lru_cache(maxsize=8192)  # an org's milestones share their dates
def _moment_text(text: str) -> str:
    return format_moment(parse_moment(text))


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int", "must be a whole number, not a boolean")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise PydanticCustomError("int", "must be a whole number")
        return int(value)
    return value


def _amount(value: Any) -> int | float:
    # The seed documents "2", 2 and (elsewhere) 1.000; it states no range.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PydanticCustomError("number", "must be a number (or a numeric string)")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise PydanticCustomError("number", "must be a number (or a numeric string)") from None
    if not math.isfinite(number):
        raise PydanticCustomError("number", "must be a finite number")
    return int(number) if number.is_integer() else number


_SCALARS = frozenset({str, int, bool, type(None)})


def integral(value: _T) -> _T:
    """Integral floats as ints, at every depth: Pulumi turns every number into a float."""
    if type(value) in _SCALARS:  # the common case, first
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # type: ignore[return-value]  # int where float was: equal values
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [integral(v) for v in value]  # type: ignore[return-value]
    return value


def canonical_json(document: Any) -> str:
    """JSON text in one canonical form: sorted keys, no spaces, integral numbers as integers.
    The same document is the same bytes in every process (a saved plan compares them), in
    whatever order its keys arrived (a mapping comes through Pulumi as a protobuf map)."""
    return json.dumps(integral(document), separators=(",", ":"), sort_keys=True, allow_nan=False)


def _json_text(value: Any) -> str:
    if not isinstance(value, (dict, list, str)):
        raise PydanticCustomError("json", "must be a JSON document (a string or an object)")
    try:
        document = json.loads(value) if isinstance(value, str) else value
        return canonical_json(document)
    except RecursionError:
        raise PydanticCustomError("json", "is nested too deeply to be read") from None
    except ValueError as exc:
        raise PydanticCustomError(
            "json", "must parse as JSON: {error}", {"error": str(exc)[:100]}
        ) from None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _printable(value: Any) -> Any:
    if isinstance(value, str) and _CONTROL.search(value):
        raise PydanticCustomError("text", "must not contain control characters")
    return value


@dataclass(frozen=True)
class _Spelled:
    """An enum's accepted spellings: any case, ``-`` or a space for ``_``, surrounding blanks,
    and the documented alternatives (``aliases``). Validation normalises to the canonical
    value; the JSON schema lists the aliases (``x-aliases``) so it accepts exactly these."""

    aliases: tuple[tuple[str, str], ...]

    def normalise(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        key = value.strip().upper().replace("-", "_").replace(" ", "_")
        return dict(self.aliases).get(key, key)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.normalise, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        shown: dict[str, Any] = handler(schema)
        if self.aliases:
            shown["x-aliases"] = [alias for alias, _ in self.aliases]
        return shown


def _enum(aliases: dict[str, str]) -> _Spelled:
    return _Spelled(tuple(sorted(aliases.items())))


def lowercase() -> BeforeValidator:
    return BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value)


def entity_id_list(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float, str)) or item == "":
            raise PydanticCustomError("entity_id", "entity ids must be numbers or strings")
    return [_whole_number(item) if isinstance(item, float) else item for item in value]


@dataclass(frozen=True)
class PythonType:
    """What a program may pass for a field (the generated ``*Args`` type it so), when that
    is more than the model's own type: a ``datetime`` for a date-time, a mapping for JSON."""

    text: str


@dataclass(frozen=True)
class ListedBare:
    """Python (args, data files) lists this field's items bare; on the wire each is a
    mapping of one key, ``key`` (a target's values: ``[3, 5]`` is ``[{defaultValue: 3}, ...]``).
    """

    key: str  # the item model's field, by Python name


# What the schema says of a date-time: ISO 8601 as ``datetime.fromisoformat`` reads it.
MOMENT_PATTERN = (
    r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}(:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?)?"
    r"([Zz]|[+-][0-9]{2}(:?[0-9]{2}(:?[0-9]{2})?)?)?)?\s*$"
)
Moment = Annotated[
    str,
    BeforeValidator(_moment),
    PythonType("str | datetime | date"),
    Field(
        description="an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)",
        json_schema_extra={"pattern": MOMENT_PATTERN},
    ),
]
# Pulumi carries numbers as doubles: beyond 2**53 an id cannot arrive intact.
WholeNumber = Annotated[int, BeforeValidator(_whole_number), Field(ge=-(2**53), le=2**53)]
Amount = Annotated[int | float, BeforeValidator(_amount)]
JsonText = Annotated[str, BeforeValidator(_json_text), PythonType("str | Mapping[str, Any]")]
# 200 characters: the seed's request table and code 310008.
Name = Annotated[
    str, BeforeValidator(_printable), Field(min_length=1, max_length=200, pattern=r"\S")
]
TrackingType = Annotated[
    Literal["DEFAULT", "UNIFIED", "STREAKS", "CAPPING", "NON_CONTINUOUS_STREAKS"],
    _enum({"STREAK": "STREAKS", "NON_CONTINUOUS_STREAK": "NON_CONTINUOUS_STREAKS"}),
]
EvaluationType = Annotated[
    Literal["FIXED_CALENDAR_WINDOW", "CYCLIC_WINDOW", "PERIOD_AGNOSTIC_WINDOW"], _enum({})
]
FrequencyType = Annotated[
    Literal["DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "HALF_YEARLY", "YEARLY", "CUSTOM"],
    _enum({"HALFYEARLY": "HALF_YEARLY"}),
]
PeriodStatus = Annotated[Literal["RUNNING", "UPCOMING", "NOT_STARTED"], _enum({})]
TargetEntity = Annotated[Literal["EVENT", "TRANSACTION", "LINEITEM", "REWARDS"], _enum({})]
TargetType = Annotated[
    Literal[
        "COUNT",
        "VISIT",
        "EVENT_ATTRIBUTE",
        "QUANTITY",
        "SALES",
        "GROSS_SALES",
        "EXTENDED_FIELD",
        "REGULAR_POINTS",
        "PROMOTIONAL_POINTS",
        "ALL_POINTS",
    ],
    _enum({"SUM": "EVENT_ATTRIBUTE"}),
]
EnrolmentMethod = Annotated[Literal["TRANSACTION", "IMPORT"], _enum({})]
FilterEntity = Annotated[Literal["STORE", "ZONE", "CONCEPT"], _enum({})]
AggregateFunction = Annotated[Literal["SUM"], _enum({})]

TARGET_TYPES: dict[str, frozenset[str]] = {
    "EVENT": frozenset({"COUNT", "VISIT", "EVENT_ATTRIBUTE"}),
    "TRANSACTION": frozenset(
        {"QUANTITY", "SALES", "GROSS_SALES", "COUNT", "VISIT", "EXTENDED_FIELD"}
    ),
    "LINEITEM": frozenset({"QUANTITY", "SALES", "GROSS_SALES", "COUNT", "VISIT", "EXTENDED_FIELD"}),
    "REWARDS": frozenset({"REGULAR_POINTS", "PROMOTIONAL_POINTS", "ALL_POINTS"}),
}
