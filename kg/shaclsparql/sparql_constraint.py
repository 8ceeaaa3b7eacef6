"""SHACL-SPARQL constraints as whole-graph queries: ``$this`` becomes a variable joined to the targets.

Why: SHACL pre-binds ``$this`` and runs a constraint's SELECT once per focus node, which on a
store means one query per node (300,000 queries for 100,000 trials). Inserting the focus-node
subquery at the start of the outer WHERE group binds ``?this`` for every filter, OPTIONAL and
EXISTS of that group, so one query returns the failures of every focus node.

This equals pre-binding when every group that mentions ``$this`` is either the outer group or
binds ``$this`` itself, and every sub-SELECT that mentions ``$this`` projects it (SHACL-SPARQL's
own rule for sub-SELECTs; pre-binding would otherwise correlate them). What can be checked from
the text is checked, and a query that breaks the rules is refused with
:class:`~kg.shaclsparql.compile.UnsupportedShapeError`, never run with other semantics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

PREBOUND_UNSUPPORTED = ("currentShape", "shapesGraph", "PATH")
"""Pre-bound variables other than ``$this``: this engine does not bind them."""

_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


class ConstraintTextError(ValueError):
    """The constraint's SELECT cannot be turned into a whole-graph query; the message says why."""


@dataclass(frozen=True)
class BoundConstraint:
    """A constraint's SELECT with the focus nodes joined in, ready to run on a store."""

    text: str
    projects_this: bool
    """Whether the original projected ``$this`` (pySHACL ignores rows binding none of
    ``$this``, ``?path`` and ``?value``)."""
    groups: bool = False
    """Whether the outer SELECT groups or aggregates: a focus node joined in twice would then
    count twice. Without it a repeated focus node only repeats rows, which the report reads
    once (see :func:`kg.shaclsparql.run._from_sparql`)."""


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the parts of ``text`` that are query code: not strings, IRIs or comments."""
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            yield start, i
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            start = i
            continue
        if char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            yield start, i
            j = i + len(quote)
            while j < len(text) and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            start = i
            continue
        if char == "<":
            match = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
            if match:
                yield start, i
                i += match.end()
                start = i
                continue
        i += 1
    yield start, len(text)


def _mask(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked out (same length), so that braces,
    keywords and variables found in it are code."""
    out = [" "] * len(text)
    for start, end in _code_spans(text):
        out[start:end] = text[start:end]
    return "".join(out)


def _matching_brace(masked: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ConstraintTextError("unbalanced braces")


def _first_group(masked: str, after: int) -> int:
    """The first ``{`` after ``after`` outside parentheses: the WHERE group of a SELECT."""
    depth = 0
    for i in range(after, len(masked)):
        if masked[i] == "(":
            depth += 1
        elif masked[i] == ")":
            depth -= 1
        elif masked[i] == "{" and depth == 0:
            return i
    raise ConstraintTextError("no WHERE group")


def _variables(masked: str) -> set[str]:
    return set(_VARIABLE.findall(masked))


def bind_this(select: str, focus: str, *, whole_graph: bool = False) -> BoundConstraint:
    """``select`` (a constraint's ``sh:select``) with ``focus`` (a group binding ``?this``)
    inserted at the start of its outer WHERE group, ``$this`` written ``?this``, and ``?this``
    projected.

    >>> bind_this("SELECT $this ?value WHERE { $this <p> ?value }", "{ ?this a <C> }").text
    'SELECT ?this ?value WHERE { { ?this a <C> } ?this <p> ?value }'

    Raises :class:`ConstraintTextError` for what whole-graph evaluation cannot reproduce.
    """
    masked = _mask(select)
    used = _variables(masked)
    for name in PREBOUND_UNSUPPORTED:
        if name in used:
            raise ConstraintTextError(f"the pre-bound variable ${name} is not supported")
    forbidden = r"\bSERVICE\b" if whole_graph else r"\b(VALUES|MINUS|SERVICE)\b"
    if re.search(forbidden, masked, re.IGNORECASE):
        raise ConstraintTextError(
            "a whole-graph form may not call SERVICE" if whole_graph
            else "SHACL-SPARQL forbids VALUES, MINUS and SERVICE"
        )
    selects = [m.start() for m in re.finditer(r"\bSELECT\b", masked, re.IGNORECASE)]
    if not selects:
        raise ConstraintTextError("not a SELECT query")
    outer = selects[0]
    where_open = _first_group(masked, outer)
    where_close = _matching_brace(masked, where_open)
    projection = masked[outer + len("SELECT") : where_open]
    projection = re.sub(r"\bWHERE\s*$", "", projection.rstrip(), flags=re.IGNORECASE)
    modifiers = masked[where_close + 1 :]
    group_by = re.search(r"\bGROUP\s+BY\b(.*?)(\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|$)",
                         modifiers, re.IGNORECASE | re.DOTALL)
    if group_by is not None and "this" not in _variables(group_by.group(1)):
        raise ConstraintTextError("an outer GROUP BY must group by $this")
    if group_by is None and _AGGREGATE.search(projection):
        raise ConstraintTextError("aggregates in the outer SELECT need GROUP BY $this")
    for start in selects[1:]:
        inner_open = _first_group(masked, start)
        inner_close = _matching_brace(masked, inner_open)
        inner_projection = masked[start:inner_open]
        if "this" in _variables(masked[inner_open:inner_close]) and (
            "this" not in _variables(inner_projection)
        ):
            raise ConstraintTextError("a sub-SELECT that uses $this must project it")
    projects_this = "this" in _variables(projection) or projection.strip().endswith("*")
    text = (
        select[:where_open + 1] + " " + focus + select[where_open + 1 :]
    )
    if not projects_this:
        keyword = re.match(r"\s*SELECT(\s+(DISTINCT|REDUCED))?", text[outer:], re.IGNORECASE)
        assert keyword is not None
        cut = outer + keyword.end()
        text = text[:cut] + " ?this" + text[cut:]
    masked_text = _mask(text)
    pieces = []
    last = 0
    for match in re.finditer(r"\$this\b", masked_text):
        pieces.append(text[last : match.start()])
        pieces.append("?this")
        last = match.end()
    pieces.append(text[last:])
    groups = group_by is not None or bool(_AGGREGATE.search(projection)) or bool(
        re.search(r"\bHAVING\b", modifiers, re.IGNORECASE)
    )
    return BoundConstraint(text="".join(pieces), projects_this=projects_this, groups=groups)
