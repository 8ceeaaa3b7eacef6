"""SPARQL the package runs, kept as ``.rq`` files beside this module (never inline strings)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``kg/queries/<name>.rq``; ``name`` may include a subfolder (``readmodel/trial``)."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def bind_iris(template: str, **iris: str) -> str:
    """Put IRIs into a query file's ``$name`` placeholders, refusing anything that is not an IRI.

    >>> bind_iris("ASK { $resource ?p ?o }", resource="https://example.org/a")
    'ASK { <https://example.org/a> ?p ?o }'
    >>> bind_iris("ASK { $resource ?p ?o }", resource="https://example.org/> } DROP ALL {")
    Traceback (most recent call last):
    ...
    ValueError: not an IRI: 'https://example.org/> } DROP ALL {'
    """
    text = template
    for name, iri in iris.items():
        if _NOT_IN_IRI.search(iri) or ":" not in iri:
            raise ValueError(f"not an IRI: {iri!r}")
        text = re.sub(rf"\${name}\b", lambda _m, iri=iri: f"<{iri}>", text)  # type: ignore[misc]
    return text
