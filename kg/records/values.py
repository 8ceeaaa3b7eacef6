"""A curator's way of writing figures, read into the ontology's terms and written back.

Each reader takes what a curator types (``29 %``, ``P = .005``, ``>= 400 mg``, ``60 months``,
``at 12 months``) and returns typed parts, or raises :class:`ValueProblem` with a message a
curator can act on (never an internal error); each ``*_text`` function writes the parts back
the one way ``kg export --format record`` writes them, so that a record read and written again
is the same record. Warnings (a value that is probably a fraction where a percentage is
expected) are returned beside the value, for the import summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kg.ctgov.values import canonical_decimal
from kg.vocab import QUDT_UNIT, XSD


class ValueProblem(ValueError):
    """A value a curator wrote that cannot be read; the message says what was expected."""


def decimal_lexical(value: Decimal) -> str:
    """The lexical form this project writes decimals in: ``29.0``, ``0.005``, ``2.5``.

    >>> decimal_lexical(Decimal("29")), decimal_lexical(Decimal("0.0050")), decimal_lexical(Decimal("6E+1"))
    ('29.0', '0.005', '60.0')
    """
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{normal.to_integral_value():f}.0"
    return f"{normal:f}"


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueProblem(f"{what}: {text!r} is not a number")
    return value


def whole(raw: object, what: str) -> int:
    """A count of people or a weight: a whole number, at least 0.

    >>> whole(174, "participants"), whole("86", "participants")
    (174, 86)
    >>> whole("86%", "participants")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.records.values.ValueProblem: participants: expected a whole number, got the percentage '86%' ...
    """
    if isinstance(raw, bool):
        raise ValueProblem(f"{what}: expected a whole number, got {raw!r}")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
    elif isinstance(raw, str) and raw.strip().endswith("%"):
        raise ValueProblem(
            f"{what}: expected a whole number, got the percentage {raw!r} (a share belongs in "
            "`value`)"
        )
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        raise ValueProblem(f"{what}: expected a whole number, got {raw!r}")
    if value < 0:
        raise ValueProblem(f"{what}: expected a whole number of at least 0, got {value}")
    return value


@dataclass(frozen=True)
class Percent:
    """A percentage as given: its value and how many decimal places the source printed."""

    value: Decimal
    places: int

    @property
    def lexical(self) -> str:
        return decimal_lexical(self.value)


_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?|[-+]?\.\d+)\s*%\s*$")


def percentage(raw: object, what: str) -> tuple[Percent, list[str]]:
    """A percentage (``29 %``, ``29.0%``, or a bare number read as percent), and warnings.

    >>> percentage("29 %", "value")
    (Percent(value=Decimal('29'), places=0), [])
    >>> percentage("12.5%", "value")[0].places
    1
    >>> percentage(0.86, "value")[1]  # doctest: +ELLIPSIS
    ['value: 0.86 looks like a fraction (86 %?), not a percentage; ...']
    >>> percentage("86 percent", "value")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.records.values.ValueProblem: value: '86 percent' is not a percentage: write it as 86 % ...
    """
    warnings: list[str] = []
    if isinstance(raw, bool) or raw is None:
        raise ValueProblem(f"{what}: expected a percentage such as 29 %, got {raw!r}")
    if isinstance(raw, int | float):
        text = repr(raw) if isinstance(raw, float) else str(raw)
        bare = True
    elif isinstance(raw, str):
        match = _PERCENT.match(raw)
        if match is None:
            number = re.match(r"^\s*([-+]?\d+(?:\.\d+)?)", raw)
            hint = f" as {number.group(1)} %" if number else " as a number and a percent sign"
            raise ValueProblem(
                f"{what}: {raw!r} is not a percentage: write it{hint} (a number and a percent sign)"
                if number else f"{what}: {raw!r} is not a percentage: write it{hint}"
            )
        text, bare = match.group(1), False
    else:
        raise ValueProblem(f"{what}: expected a percentage such as 29 %, got {raw!r}")
    value = _number(text, what)
    places = max(0, -int(value.as_tuple().exponent))
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueProblem(f"{what}: {raw!r} is not a percentage between 0 and 100")
    if Decimal(0) < value < Decimal(1) and places > 0:
        warnings.append(
            f"{what}: {text} looks like a fraction ({canonical_decimal(value * 100)} %?), not a "
            f"percentage; if the source prints {text}%, keep it and ignore this warning"
        )
    elif bare:
        warnings.append(f"{what}: {text} has no percent sign; read as {text} %")
    return Percent(value, places), warnings


def percentage_text(value: str, places: int | None) -> str:
    """``29 %`` for ``29.0`` given to 0 places.

    >>> percentage_text("29.0", 0), percentage_text("12.5", 1), percentage_text("30.0", None)
    ('29 %', '12.5 %', '30 %')
    """
    number = Decimal(value)
    if places is None:
        return f"{canonical_decimal(number)} %"
    return f"{number:.{places}f} %"


_P = re.compile(r"^\s*(?:p\s*)?(=|<=|>=|<|>|≤|≥)?\s*(\d*\.?\d+(?:[eE][-+]?\d+)?)\s*$", re.IGNORECASE)


def p_value(raw: object, what: str = "p") -> tuple[str | None, str]:
    """(comparator or None, value lexical) of ``P = .005``, ``P < .001``, ``0.03``.

    >>> p_value("P = .005"), p_value("p<0.001"), p_value(0.03)
    ((None, '0.005'), ('<', '0.001'), (None, '0.03'))
    >>> p_value("P = 5")
    Traceback (most recent call last):
    kg.records.values.ValueProblem: p: a p-value lies between 0 and 1; 'P = 5' does not (a percentage? write P = .05)
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueProblem(f"{what}: expected a p-value such as P = .005, got {raw!r}")
    text = repr(raw) if isinstance(raw, float) else str(raw)
    match = _P.match(text)
    if match is None:
        raise ValueProblem(f"{what}: {text!r} is not a p-value: write P = .005 or P < .001")
    comparator = {"≤": "<=", "≥": ">=", "=": None}.get(match.group(1) or "=", match.group(1))
    value = _number(match.group(2), what)
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueProblem(
            f"{what}: a p-value lies between 0 and 1; {text!r} does not (a percentage? write "
            "P = .05)"
        )
    return comparator, decimal_lexical(value) if value == 1 or value == 0 else f"{value.normalize():f}"


def p_value_text(comparator: str | None, lexical: str) -> str:
    """``P = .005`` (the journals' style: no leading zero).

    >>> p_value_text(None, "0.005"), p_value_text("<", "0.001"), p_value_text(None, "1.0")
    ('P = .005', 'P < .001', 'P = 1')
    """
    text = canonical_decimal(Decimal(lexical))
    if text.startswith("0."):
        text = text[1:]
    return f"P {comparator or '='} {text}"


DOSE_UNITS = ("mg", "g", "µg", "mcg", "ng", "mg/kg", "mg/m2", "mg/m²", "µg/kg", "IU", "U",
              "mL", "L", "mmol", "Gy", "tablet", "tablets", "capsule", "capsules")
"""Units a dose may be given in; anything else is refused as unknown (a typo, usually)."""

_DOSE = re.compile(r"^\s*(>=|<=|≥|≤|>|<)?\s*(\d+(?:\.\d+)?)\s*(\S+)\s*$")


def dose(raw: object, what: str = "dose") -> tuple[str | None, str, str]:
    """(comparator, value lexical, unit) of ``100 mg`` or ``>= 400 mg``.

    >>> dose("100 mg"), dose("≥ 400 mg")
    ((None, '100.0', 'mg'), ('>=', '400.0', 'mg'))
    >>> dose("100 mgs")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.records.values.ValueProblem: dose: unknown unit 'mgs' in '100 mgs'; known units: mg, g, ...
    """
    text = str(raw) if isinstance(raw, str | int | float) and not isinstance(raw, bool) else None
    match = _DOSE.match(text) if text is not None else None
    if match is None:
        raise ValueProblem(f"{what}: expected a dose such as 100 mg or >= 400 mg, got {raw!r}")
    comparator = {"≥": ">=", "≤": "<="}.get(match.group(1) or "", match.group(1))
    unit = match.group(3)
    if unit not in DOSE_UNITS:
        raise ValueProblem(
            f"{what}: unknown unit {unit!r} in {text!r}; known units: {', '.join(DOSE_UNITS)}"
        )
    return comparator, decimal_lexical(Decimal(match.group(2))), unit


def dose_text(comparator: str | None, value: str, unit: str) -> str:
    """A dose as a curator writes it.

    >>> dose_text(">=", "400.0", "mg")
    '>= 400 mg'
    """
    prefix = f"{comparator} " if comparator else ""
    return f"{prefix}{canonical_decimal(Decimal(value))} {unit}"


TIME_UNITS: dict[str, tuple[str, str]] = {
    "day": ("D", "DAY"), "days": ("D", "DAY"),
    "week": ("W", "WK"), "weeks": ("W", "WK"),
    "month": ("M", "MO"), "months": ("M", "MO"),
    "year": ("Y", "YR"), "years": ("Y", "YR"),
}
"""Time units a curator may write: their xsd:duration letter and QUDT unit."""
_UNIT_WORDS = {"D": "days", "W": "weeks", "M": "months", "Y": "years"}
_QUDT_WORDS = {"DAY": "days", "WK": "weeks", "MO": "months", "YR": "years"}
_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")


def _span(raw: object, what: str) -> tuple[Decimal, str]:
    text = str(raw) if isinstance(raw, str | int | float) and not isinstance(raw, bool) else ""
    match = _SPAN.match(text)
    if match is None:
        raise ValueProblem(f"{what}: expected a time such as 12 months, got {raw!r}")
    unit = match.group(2).lower()
    if unit not in TIME_UNITS:
        raise ValueProblem(
            f"{what}: unknown time unit {match.group(2)!r}; write days, weeks, months or years"
        )
    return Decimal(match.group(1)), unit


def duration(raw: object, what: str) -> str:
    """An xsd:duration from ``60 months``.

    >>> duration("60 months", "maximum duration"), duration("5 years", "x")
    ('P60M', 'P5Y')
    """
    value, unit = _span(raw, what)
    if value != value.to_integral_value():
        raise ValueProblem(f"{what}: a duration is a whole number of {unit}, got {raw!r}")
    return f"P{int(value)}{TIME_UNITS[unit][0]}"


def duration_text(lexical: str) -> str:
    """A duration as a curator writes it, in the unit a store keeps it in (stores write
    xsd:duration in canonical form: 60 months come back as P5Y).

    >>> duration_text("P60M"), duration_text("P5Y"), canonical_span("60 months")
    ('60 months', '5 years', '5 years')
    """
    match = re.fullmatch(r"P(\d+)([DWMY])", lexical)
    if match is None:
        return lexical
    return f"{match.group(1)} {_UNIT_WORDS[match.group(2)]}"


def canonical_span(text: str) -> str:
    """A duration written as :func:`duration_text` writes its canonical xsd:duration."""
    from rdflib import Literal

    return duration_text(str(Literal(duration(text, "duration"), datatype=XSD.duration)))


def months(raw: object, what: str) -> str:
    """A time in months as a decimal lexical (``9 months`` -> ``9.0``)."""
    value, unit = _span(raw, what)
    if TIME_UNITS[unit][1] != "MO":
        raise ValueProblem(f"{what}: give this time in months, got {raw!r}")
    return decimal_lexical(value)


def months_text(lexical: str) -> str:
    """A time in months as a curator writes it.

    >>> months_text("9.0")
    '9 months'
    """
    return f"{canonical_decimal(Decimal(lexical))} months"


@dataclass(frozen=True)
class When:
    """When a figure holds: at or by a time point, with its value and QUDT unit if given."""

    relation: str
    """``at`` or ``by``."""
    value: str | None = None
    unit: str | None = None
    """A QUDT unit IRI."""


def when(raw: object, what: str = "when") -> When:
    """``at 12 months`` / ``by 2 years`` / ``by`` (a relation without a stated time).

    >>> when("at 12 months")
    When(relation='at', value='12.0', unit='http://qudt.org/vocab/unit/MO')
    >>> when("by")
    When(relation='by', value=None, unit=None)
    """
    text = str(raw).strip() if isinstance(raw, str) else ""
    relation, _, rest = text.partition(" ")
    if relation not in ("at", "by"):
        raise ValueProblem(
            f"{what}: write `at 12 months` (a status then) or `by 2 years` (everything up to "
            f"then), got {raw!r}"
        )
    if not rest.strip():
        return When(relation)
    value, unit = _span(rest, what)
    return When(relation, decimal_lexical(value), str(QUDT_UNIT[TIME_UNITS[unit][1]]))


def when_text(relation: str, value: str | None, unit: str | None) -> str:
    """A time point as a curator writes it.

    >>> when_text("by", "2.0", "http://qudt.org/vocab/unit/YR")
    'by 2 years'
    """
    if value is None or unit is None:
        return relation
    return f"{relation} {canonical_decimal(Decimal(value))} {_QUDT_WORDS[unit.rsplit('/', 1)[-1]]}"


_DATE = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
)


def date(raw: object, what: str) -> tuple[str, str]:
    """(lexical, datatype IRI) of a date as precise as the source: ``2024-05`` stays a month.

    >>> date("2024-05", "published")[1]
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    for pattern, datatype in _DATE:
        if pattern.match(text):
            if datatype == XSD.date:
                import datetime

                try:
                    datetime.date.fromisoformat(text)
                except ValueError:
                    raise ValueProblem(f"{what}: {text!r} is not a calendar date") from None
            return text, str(datatype)
    raise ValueProblem(
        f"{what}: expected a date as YYYY-MM-DD, or YYYY-MM or YYYY when the source gives no "
        f"day, got {raw!r}"
    )
