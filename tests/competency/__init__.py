"""The competency questions (the ``*.rq`` files beside this module) and how answers are compared.

Answers from different places (the exported file, a store backend, /sparql over HTTP) are compared
by value: oxigraph writes ``29.0`` as ``29``, and JSON results carry doubles as text.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import Literal

QUESTIONS = Path(__file__).parent


def question(name: str) -> str:
    """The text of ``<name>.rq``."""
    return (QUESTIONS / f"{name}.rq").read_text()


def comparable(term: object) -> object:
    """A term as a value that compares equal whatever spelled it: numbers by value."""
    if not isinstance(term, Literal):
        return term
    value = term.toPython()
    return Decimal(str(value)) if isinstance(value, float) else value
