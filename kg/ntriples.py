"""N-Triples lines written straight from Python values, for code that makes many triples.

Why not rdflib: building an rdflib graph costs about ten times formatting its lines, and both
producers of bulk data (:mod:`kg.synth`, 100,000 trials; :mod:`kg.ctgov`, registry records by the
thousand) hand their triples to a store that parses N-Triples natively. The writer is a
:class:`kg.derive.TripleWriter`, so derived facts are written by the same functions as for
curated data.

IRIs are written as given: callers mint them from identifiers they control (base IRI, registry
ids, indexes), never from free text. Literal text is escaped for N-Triples, including control
characters; text that cannot be UTF-8 (a lone surrogate from a JSON ``\\ud800`` escape) raises
:class:`ValueError`.
"""

from __future__ import annotations

import re

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def string(value: str) -> str:
    """A plain (xsd:string) literal in N-Triples syntax.

    >>> string('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    if _SURROGATE.search(value):
        raise ValueError(f"text with an unpaired surrogate cannot be stored: {value[:40]!r}")
    return '"' + _NEEDS_ESCAPE.sub(_escape, value) + '"'


def typed(lexical: object, datatype: object) -> str:
    """A typed literal; ``lexical`` must already be in the datatype's lexical space."""
    return f'"{lexical}"^^<{datatype}>'


class LineWriter:
    """Collects N-Triples lines (a :class:`kg.derive.TripleWriter`)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    # Each method formats its line itself: a call less per triple is a tenth of a bulk run.
    def add(self, subject: str, predicate: object, obj: str) -> None:
        """A triple whose object is already in N-Triples syntax (see :func:`string`)."""
        self.lines.append(f"<{subject}> <{predicate}> {obj} .")

    def link(self, subject: str, predicate: object, target: object) -> None:
        self.lines.append(f"<{subject}> <{predicate}> <{target}> .")

    def text(self, subject: str, predicate: object, value: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {string(value)} .")

    def typed(self, subject: str, predicate: object, lexical: str, datatype: object) -> None:
        self.lines.append(f'<{subject}> <{predicate}> "{lexical}"^^<{datatype}> .')
