"""What dereferencing an IRI returns: a concise bounded description, and the views pages need.

Why bounded: a linked-data client asking for one resource should get that resource (its own
triples and the blank nodes hanging off it, plus the labels of what it points to), not the
graph. Why the page views live here: the arms, endpoints and effect estimates of a trial are graph
questions (``kg/queries/linked_data/trial-*.rq``); the HTTP layer only renders the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from kg import queries
from kg.export import MEDIA_TYPES, RDFLIB_NAMES, jsonld_document
from kg.queries import bind_iris
from kg.store import Store, StoreError, select
from kg.vocab import EKG, RDF, bind_prefixes

DescriptionFormat = TypingLiteral["turtle", "ntriples", "jsonld", "xml"]
DESCRIPTION_FORMATS: tuple[DescriptionFormat, ...] = ("turtle", "jsonld", "ntriples", "xml")
"""The triple formats a description is offered in, most preferred first (content negotiation
breaks ties in this order); their media types and parsers are :mod:`kg.export`'s."""
DESCRIPTION_MEDIA_TYPES: dict[DescriptionFormat, str] = {
    fmt: MEDIA_TYPES[fmt] for fmt in DESCRIPTION_FORMATS
}


def _construct(store: Store, name: str, **iris: str) -> Graph:
    result = store.query(bind_iris(queries.load(name), **iris))
    if not isinstance(result, Graph):
        raise StoreError(f"{name}.rq must be a CONSTRUCT or DESCRIBE query")
    return result


def exists(store: Store, iri: str) -> bool:
    """Whether ``iri`` is the subject of any triple (what makes it dereferenceable)."""
    return store.query(bind_iris(queries.load("linked_data/exists"), resource=iri)) is True


def concise_description(store: Store, iri: str) -> Graph | None:
    """The CBD of ``iri`` plus labels of what it points to; ``None`` if the store has no triples
    about it."""
    if not exists(store, iri):
        return None
    graph = bind_prefixes(Graph())
    graph += _construct(store, "linked_data/describe", resource=iri)
    graph += _construct(store, "linked_data/labels", resource=iri)
    return graph


def named_graph(store: Store, graph_name: str) -> Graph:
    """Every triple of one named graph (the ontology, for ``/ontology``)."""
    graph = bind_prefixes(Graph())
    graph += _construct(store, "linked_data/ontology", graph=graph_name)
    return graph


def serialize(graph: Graph, fmt: DescriptionFormat) -> bytes:
    """Serialize a description with the project's prefixes; JSON-LD as the dump writes it,
    compacted with the project's context inlined, so that any client reads it offline."""
    if fmt == "jsonld":
        return jsonld_document(graph)
    return bind_prefixes(graph).serialize(format=RDFLIB_NAMES[fmt], encoding="utf-8")


def _text(value: Identifier | None) -> str | None:
    return None if value is None else str(value)


def _number(value: Identifier | None) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value))
    except ValueError:
        return None


def _boolean(value: Identifier | None) -> bool | None:
    if not isinstance(value, Literal):
        return None
    return str(value).lower() in ("true", "1")


@dataclass(frozen=True)
class ArmView:
    iri: str
    label: str
    participants: int | None
    role: str | None
    intervention: str | None


@dataclass(frozen=True)
class EndpointView:
    iri: str
    label: str
    kind: str | None
    time_frame: str | None


@dataclass(frozen=True)
class EstimateView:
    """One effect estimate with its interval; ``derived`` when computed here, not reported."""

    estimate: str
    comparison: str
    comparison_label: str
    statistic: str
    statistic_label: str
    value: float
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float | None
    derived: bool
    higher_is_better: bool | None = None
    """The endpoint's direction of benefit (``ekg:benefitDirection``): True when its higher
    figures are better, None when it does not say. Whether that carries over to the estimate
    depends on the statistic (:func:`api.pages.forest.favours_higher`)."""


@dataclass(frozen=True)
class UnquantifiedView:
    comparison: str
    label: str
    significant: bool | None
    p_value: float | None


@dataclass(frozen=True)
class TrialView:
    arms: list[ArmView]
    endpoints: list[EndpointView]
    estimates: list[EstimateView]
    unquantified: list[UnquantifiedView]


def _direction(term: Identifier | None) -> bool | None:
    """True for an endpoint whose higher figures are better, False for lower, None when it
    does not say."""
    if term == EKG.HigherIsBetter:
        return True
    return False if term == EKG.LowerIsBetter else None


def _rows(store: Store, name: str, iri: str) -> list[dict[str, Identifier]]:
    return select(store, bind_iris(queries.load(name), resource=iri)).rows


def trial_view(store: Store, iri: str) -> TrialView:
    """Arms, endpoints and effect estimates of trial ``iri``, for its page and forest plot."""
    arms = [
        ArmView(
            str(r["arm"]),
            _text(r.get("label")) or str(r["arm"]),
            int(str(r["participants"])) if "participants" in r else None,
            _text(r.get("roleLabel")) or _text(r.get("role")),
            _text(r.get("interventionLabel")),
        )
        for r in _rows(store, "linked_data/trial-arms", iri)
    ]
    endpoints = [
        EndpointView(
            str(r["endpoint"]),
            _text(r.get("label")) or str(r["endpoint"]),
            _text(r.get("kindLabel")) or _text(r.get("kind")),
            _text(r.get("timeFrame")),
        )
        for r in _rows(store, "linked_data/trial-endpoints", iri)
    ]
    estimates = []
    for r in _rows(store, "linked_data/trial-estimates", iri):
        value = _number(r.get("value"))
        if value is None:
            continue
        derived = r.get("derived")
        estimates.append(
            EstimateView(
                estimate=str(r["estimate"]),
                comparison=str(r["comparison"]),
                comparison_label=_text(r.get("comparisonLabel")) or str(r["comparison"]),
                statistic=str(r["statistic"]),
                statistic_label=_text(r.get("statisticLabel")) or str(r["statistic"]),
                value=value,
                ci_lower=_number(r.get("ciLower")),
                ci_upper=_number(r.get("ciUpper")),
                ci_level=_number(r.get("ciLevel")),
                derived=_boolean(derived) is True,
                higher_is_better=_direction(r.get("better")),
            )
        )
    unquantified = [
        UnquantifiedView(
            str(r["comparison"]),
            _text(r.get("label")) or str(r["comparison"]),
            _boolean(r.get("significant")),
            _number(r.get("pValue")),
        )
        for r in _rows(store, "linked_data/trial-unquantified", iri)
    ]
    return TrialView(arms, endpoints, estimates, unquantified)


def is_a(graph: Graph, iri: str, cls: URIRef) -> bool:
    """Whether the description says ``iri`` is an instance of ``cls``."""
    return (URIRef(iri), RDF.type, cls) in graph
