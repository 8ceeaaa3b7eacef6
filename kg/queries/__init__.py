"""SPARQL the package runs, kept as ``.rq`` files beside this module (never inline strings)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pyoxigraph import NamedNode


@cache
def load(name: str) -> str:
    """The text of ``kg/queries/<name>.rq``; ``name`` may include a subfolder (``readmodel/trial``).
    Read once per process: the queries are files shipped with the package, not data."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


def check_iri(iri: str) -> str:
    """``iri`` if it is an absolute IRI (RFC 3987), else :class:`ValueError` saying why.

    Why pyoxigraph's parser: it is the one the embedded store runs, so what passes here never
    makes the store refuse a query (``/id/%5B`` once reached it as ``…/id/[`` and answered 500).

    >>> check_iri("https://example.org/a%5B")
    'https://example.org/a%5B'
    >>> check_iri("https://example.org/x#y#z")
    Traceback (most recent call last):
    ...
    ValueError: not an IRI: 'https://example.org/x#y#z' (Invalid IRI code point '#')
    """
    try:
        NamedNode(iri)
    except ValueError as error:
        raise ValueError(f"not an IRI: {iri!r} ({error})") from None
    return iri


def bind_iris(template: str, **iris: str) -> str:
    """Put IRIs into a query file's ``$name`` placeholders, refusing anything that is not an IRI.

    >>> bind_iris("ASK { $resource ?p ?o }", resource="https://example.org/a")
    'ASK { <https://example.org/a> ?p ?o }'
    >>> bind_iris("ASK { $resource ?p ?o }", resource="https://example.org/> } DROP ALL {")
    Traceback (most recent call last):
    ...
    ValueError: not an IRI: 'https://example.org/> } DROP ALL {' (Invalid IRI code point '>')
    """
    text = template
    for name, iri in iris.items():
        check_iri(iri)
        text = re.sub(rf"\${name}\b", lambda _m, iri=iri: f"<{iri}>", text)  # type: ignore[misc]
    return text
