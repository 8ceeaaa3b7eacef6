"""Check a SPARQL request before anything evaluates it: read-only, local, well-formed.

Why before evaluation: pyoxigraph will happily run ``SERVICE <http://elsewhere/>`` (it has an
HTTP client) and rdflib will fetch ``FROM <http://elsewhere/>``; an endpoint open to the public
must never become a proxy to other hosts, and must never change its data. So every query is
parsed here first and refused if it is an update, calls a service, or names a graph we do not
hold. Two independent checks guard ``SERVICE``: the parse tree, and a scan of the query's tokens
with strings, IRIs and comments removed, so that a difference between rdflib's parser (used here)
and oxigraph's (used to evaluate) cannot let one through.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Literal

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from kg.queries import check_iri
from kg.rdflib_lock import RDFLIB_SPARQL
from kg.store import QuerySyntaxError

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


class RefusedQuery(Exception):
    """The query is well-formed but this endpoint will not run it; the message says why."""


class UpdateRefused(RefusedQuery):
    """The request is a SPARQL Update: the endpoint is read-only."""


class ServiceRefused(RefusedQuery):
    """The query calls ``SERVICE``: federated queries would reach other hosts."""


class UnknownGraph(RefusedQuery):
    """The query or request names a graph that is not in the store."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard."""

    text: str
    form: QueryForm
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    declares_base: bool = False
    """Whether the query has a ``BASE`` of its own (then it needs none from the endpoint)."""


def _walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ParseResults):
        for item in node:
            yield from _walk(item)


_TOKEN_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs
    r"|#[^\n]*",  # comments
    re.DOTALL,
)
_SERVICE_KEYWORD = re.compile(r"(?<![\w?$:])service(?![\w:])", re.IGNORECASE)


def mentions_service(text: str) -> bool:
    """Whether ``SERVICE`` appears as a keyword (not inside a string, IRI, comment or name).

    >>> mentions_service('SELECT * { SERVICE <http://x/> { ?s ?p ?o } }')
    True
    >>> mentions_service('SELECT ?service { ?service ex:service "a SERVICE" } # SERVICE')
    False
    """
    return bool(_SERVICE_KEYWORD.search(_TOKEN_NOISE.sub(" ", text)))


def check_query(
    text: str, *, known_graphs: Collection[str], base_iri: str | None = None
) -> CheckedQuery:
    """Parse ``text`` and refuse what must not run; return the query form and its dataset.

    ``base_iri`` is what relative IRIs resolve against (a ``BASE`` in the query resolves
    against it in turn), here for the ``FROM`` clauses the query names.

    Raises:
        QuerySyntaxError: the text is neither a query nor an update (the parser's message).
        UpdateRefused: the text is a SPARQL Update.
        ServiceRefused: the query uses ``SERVICE``.
        UnknownGraph: ``FROM`` or ``FROM NAMED`` names a graph not in ``known_graphs``.

    >>> check_query("ASK { ?s ?p ?o }", known_graphs=()).form
    'ASK'
    >>> check_query("DROP ALL", known_graphs=())
    Traceback (most recent call last):
    ...
    kg.sparql.guard.UpdateRefused: SPARQL Update is not allowed: this endpoint is read-only
    """
    if not text.strip():
        raise QuerySyntaxError("the query is empty")
    try:
        with RDFLIB_SPARQL:
            parsed = parseQuery(text)
    except ParseException as error:
        if _is_update(text):
            raise UpdateRefused(
                "SPARQL Update is not allowed: this endpoint is read-only"
            ) from None
        raise QuerySyntaxError(str(error)) from None
    except Exception as error:  # rdflib raises assorted errors for odd input (bad IRIs, prefixes)
        raise QuerySyntaxError(str(error)) from None
    prologue, body = parsed[0], parsed[1]
    if mentions_service(text) or any(n.name == "ServiceGraphPattern" for n in _walk(body)):
        raise ServiceRefused("SERVICE is not allowed: this endpoint does not query other hosts")
    try:
        resolved = translatePrologue(prologue, base_iri)
    except Exception as error:
        raise QuerySyntaxError(str(error)) from None
    default: list[str] = []
    named: list[str] = []
    # CompValue.get answers a missing key with the key's own name, hence the ``in`` tests.
    for clause in body["datasetClause"] if "datasetClause" in body else ():
        for key, target in (("default", default), ("named", named)):
            if key in clause:
                try:
                    target.append(str(resolved.absolutize(clause[key])))
                except Exception as error:
                    raise QuerySyntaxError(str(error)) from None
    unknown = [g for g in (*default, *named) if g not in known_graphs]
    if unknown:
        raise UnknownGraph(
            f"graph <{unknown[0]}> is not in this store; FROM and FROM NAMED may name only: "
            + ", ".join(f"<{g}>" for g in sorted(known_graphs))
        )
    declares_base = any(getattr(part, "name", None) == "Base" for part in prologue)
    return CheckedQuery(text, _FORMS[body.name], tuple(default), tuple(named), declares_base)


def served_graphs(
    graphs: Collection[str], *, known_graphs: Collection[str], parameter: str
) -> tuple[str, ...]:
    """The graphs of a protocol ``default-graph-uri``/``named-graph-uri`` that the store serves.

    SPARQL 1.1 Protocol §2.1.4 lets a request name any graph for its dataset; a graph this store
    does not serve is an empty graph there (W3C protocol tests ``query_get``,
    ``query_post_form``), so it is left out, which is the same for every query. What must be an
    IRI is one: anything else is :class:`kg.store.QuerySyntaxError`.

    >>> served_graphs(["http://example.org/g", "urn:a"], known_graphs={"urn:a"}, parameter="p")
    ('urn:a',)
    >>> served_graphs(["false"], known_graphs=(), parameter="default-graph-uri")
    Traceback (most recent call last):
    ...
    kg.store.QuerySyntaxError: default-graph-uri must be an absolute IRI, not 'false'
    """
    for graph in graphs:
        try:
            check_iri(graph)
        except ValueError:
            raise QuerySyntaxError(f"{parameter} must be an absolute IRI, not {graph!r}") from None
    return tuple(graph for graph in graphs if graph in known_graphs)


def _is_update(text: str) -> bool:
    try:
        with RDFLIB_SPARQL:
            parseUpdate(text)
    except Exception:
        return False
    return True
