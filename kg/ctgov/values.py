"""Registry strings as typed values, without losing what the registry wrote.

ClinicalTrials.gov gives every figure as a string: ``"83.7"``, ``"7.0"``, ``"<0.001"``,
``"NA"``, ``"≥4-fold"``. Each becomes a typed literal in the store's canonical form (oxigraph
writes ``7.0`` as ``7``), and the original string is kept beside it whenever the typed value
alone would lose something: a comparator, a trailing zero that gives the precision, or a value
that is not a number at all. Dates keep the registry's precision: ``"2015-09"`` is an
``xsd:gYearMonth``, never ``2015-09-01``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"

_DECIMAL = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_COMPARATOR = re.compile(r"^\s*(<=|>=|≤|≥|<|>|=)\s*")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def canonical_decimal(value: Decimal) -> str:
    """The lexical form oxigraph stores for an ``xsd:decimal``: no exponent, no trailing zeros.

    >>> [canonical_decimal(Decimal(t)) for t in ("7.0", "0.50", "100", "-0.0", "1E+2", ".5")]
    ['7', '0.5', '100', '0', '100', '0.5']
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


@dataclass(frozen=True)
class Number:
    """A registry figure: its typed value (if it has one) and the text to keep beside it."""

    lexical: str | None
    """Canonical ``xsd:decimal`` lexical form; None when the text is not a number."""
    text: str | None
    """The registry's string, when the typed value alone would lose something."""
    comparator: str | None = None
    """``<``, ``<=``, ``>`` or ``>=`` when the text gives a bound (``"<0.001"``)."""

    @property
    def value(self) -> Decimal | None:
        return Decimal(self.lexical) if self.lexical is not None else None


def number(raw: object) -> Number | None:
    """A registry figure read from its string (or JSON number); None for absent or empty.

    >>> number("83.7")
    Number(lexical='83.7', text=None, comparator=None)
    >>> number("7.0")
    Number(lexical='7', text='7.0', comparator=None)
    >>> number("<0.001")
    Number(lexical='0.001', text='<0.001', comparator='<')
    >>> number("NA")
    Number(lexical=None, text='NA', comparator=None)
    >>> number("≥4-fold")
    Number(lexical=None, text='≥4-fold', comparator=None)
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        raw = repr(raw) if isinstance(raw, float) else str(raw)
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw
    comparator = None
    body = text
    match = _COMPARATOR.match(text)
    if match:
        comparator = {"≤": "<=", "≥": ">=", "=": None}.get(match.group(1), match.group(1))
        body = text[match.end() :]
    if not _DECIMAL.match(body):
        return Number(None, text)
    try:
        value = Decimal(body.strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return Number(None, text)
    lexical = canonical_decimal(value)
    return Number(lexical, None if lexical == text else text, comparator)


def integer(raw: object) -> int | None:
    """A count given as an integer or as its string; None if absent or not a whole number.

    >>> integer("158"), integer(317), integer("NA"), integer("12.5")
    (158, 317, None, None)
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _INTEGER.match(raw):
        return int(raw)
    return None


@dataclass(frozen=True)
class Date:
    """A registry date as precisely as it was given."""

    lexical: str
    datatype: str


def date(raw: object) -> Date | None:
    """``"2015-09-17"`` as ``xsd:date``, ``"2015-09"`` as ``xsd:gYearMonth``, ``"2015"`` as
    ``xsd:gYear``; None for anything else (the caller says what it could not read).

    >>> date("2015-09"), date("2015-09-17").datatype.rsplit("#")[1], date("September 2015")
    (Date(lexical='2015-09', datatype='http://www.w3.org/2001/XMLSchema#gYearMonth'), 'date', None)
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if (m := _DATE.match(text)) and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
        return Date(text, f"{XSD}date")
    if (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        return Date(text, f"{XSD}gYearMonth")
    if _YEAR.match(text):
        return Date(text, f"{XSD}gYear")
    return None


def confidence_level(raw: object) -> Number | None:
    """A registry confidence percentage ("95") as a proportion (0.95), the text kept if it
    says more than the number.

    >>> confidence_level("95"), confidence_level("97.5").lexical, confidence_level("NA")
    (Number(lexical='0.95', text=None, comparator=None), '0.975', None)
    """
    parsed = number(raw)
    if parsed is None or parsed.value is None or parsed.comparator is not None:
        return None
    if not 0 < parsed.value < 100:
        return None
    return Number(canonical_decimal(parsed.value / 100), None)
