"""Filling the read model's ``.rq`` templates safely.

Why templates and not string building: the SPARQL stays readable in ``kg/queries/readmodel/``,
and every value a user sends reaches a query only through :func:`string_literal`,
:func:`iri` or :func:`decimal_literal`, which escape or refuse it, so no input can change a
query's shape (SPARQL injection).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from kg import queries

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class BadValue(ValueError):
    """A user-supplied value cannot be used in a query; the message says why, for the client."""


def iri(value: str) -> str:
    """An absolute IRI as a SPARQL term, or :class:`BadValue`.

    >>> iri("https://w3id.org/evidence-kg/id/trial/dascern")
    '<https://w3id.org/evidence-kg/id/trial/dascern>'
    >>> iri("x> } DROP ALL {")
    Traceback (most recent call last):
    ...
    kg.readmodel.sparql.BadValue: not an absolute IRI: 'x> } DROP ALL {'
    """
    if not SCHEME.match(value) or IRI_FORBIDDEN.search(value):
        raise BadValue(f"not an absolute IRI: {value!r}")
    return f"<{value}>"


def is_iri(value: str) -> bool:
    """Whether ``value`` can be used as an IRI term."""
    return bool(SCHEME.match(value)) and not IRI_FORBIDDEN.search(value)


def string_literal(value: str) -> str:
    """A SPARQL string literal holding exactly ``value``.

    >>> string_literal('a "quoted"\\\\ line\\n')
    '"a \\\\"quoted\\\\"\\\\\\\\ line\\\\n"'
    """
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def decimal_literal(value: float) -> str:
    """A finite number as a SPARQL decimal.

    >>> decimal_literal(0.05)
    '0.05'
    """
    try:
        number = Decimal(repr(value))
    except InvalidOperation as error:
        raise BadValue(f"not a number: {value!r}") from error
    if not number.is_finite():
        raise BadValue(f"not a finite number: {value!r}")
    return format(number, "f")


def values(iris: Iterable[str]) -> str:
    """The body of a ``VALUES ?x { ... }`` block for IRIs (deduplicated, order kept)."""
    return " ".join(iri(value) for value in dict.fromkeys(iris))


def numbered_values(iris: Sequence[str]) -> str:
    """The body of a ``VALUES (?x ?n) { ... }`` block giving each IRI its position.

    >>> numbered_values(["https://a.example/x", "https://a.example/y"])
    '(<https://a.example/x> 0) (<https://a.example/y> 1)'
    """
    return " ".join(f"({iri(value)} {n})" for n, value in enumerate(iris))


def keyed(variable: str, numbers: Mapping[str, int]) -> str:
    """An expression giving the number of the IRI ``?variable`` holds, -1 for another term.

    Why: a query can return a small number for a term it matched instead of the term itself,
    which oxigraph would read from disk for every row.

    >>> keyed("p", {"https://a.example/x": 0, "https://a.example/y": 3})
    'IF(?p = <https://a.example/x>, 0, IF(?p = <https://a.example/y>, 3, -1))'
    """
    if not variable.isidentifier():
        raise BadValue(f"not a variable name: {variable!r}")
    expression = "-1"
    for value, number in reversed(list(numbers.items())):
        expression = f"IF(?{variable} = {iri(value)}, {int(number)}, {expression})"
    return expression


def render(name: str, **params: str) -> str:
    """The text of ``kg/queries/readmodel/<name>.rq`` with every ``{{param}}`` filled.

    A placeholder without a value, or a value without a placeholder, is a programming error.
    """
    text = queries.load(f"readmodel/{name}")
    wanted = set(PLACEHOLDER.findall(text))
    if wanted != set(params):
        raise KeyError(f"{name}.rq needs {sorted(wanted)}, got {sorted(params)}")
    return PLACEHOLDER.sub(lambda match: params[match.group(1)], text)


def fragment(name: str, **params: str) -> str:
    """A piece of a query from ``kg/queries/readmodel/fragments/<name>.rq``, filled."""
    return render(f"fragments/{name}", **params)
