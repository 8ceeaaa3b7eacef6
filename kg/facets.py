"""What the listings filter, sort and look up, per study: read from a store for the projection.

Why: the listings (:mod:`kg.readmodel.listing`) find, sort and count every match in the store
before a page is cut (1.3 s a page at 100,000 trials; the text filter and the lookup of a trial
by a name not given exactly, which oxigraph cannot index, 7.8 and 10 s). Each study's facets (its
sort key, the names the text filter searches and ``trial(id:)`` looks up, the drugs, conditions
and phases the filters join on, its comparisons with theirs) are kept as rows in the projection
(:mod:`kg.projection`), where a page is an indexed SQL query.

The facets say, per study, exactly what the SPARQL of the listings tests, read by the queries
``kg/queries/readmodel/facets_*.rq``: tests compare every listing answered from them with the
same listing answered by the store. One difference is by design: a comparison belongs to the
study whose endpoint it is on (as ``Trial.comparisons`` finds it), so one on no study's endpoint,
which the shapes do not allow, is listed by the store and not by the facets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kg.readmodel.sparql import render, values
from kg.store import Store

NAME_SEPARATOR = "\x00"
"""Joins a trial's lower-case names into one text (one substring test per trial); a needle
holding it matches nothing, as no name holds it."""


@dataclass(frozen=True)
class TrialQuery:
    """A trial filter with its identifiers resolved (:func:`kg.readmodel.listing.resolve_trials`):
    trials giving one of ``drugs``, studying one of ``conditions``, in one of ``phases`` (each
    ``None`` when not asked), with a name containing ``text`` (lower case)."""

    drugs: tuple[str, ...] | None = None
    conditions: tuple[str, ...] | None = None
    phases: tuple[str, ...] | None = None
    text: str | None = None


@dataclass(frozen=True)
class ComparisonQuery:
    """A comparison filter with its drugs resolved
    (:func:`kg.readmodel.listing.resolve_comparisons`); ``endpoint`` lower case."""

    drugs: tuple[str, ...] | None = None
    comparators: tuple[str, ...] | None = None
    endpoint: str | None = None
    max_p_value: float | None = None
    statistic: str | None = None
    derived: bool | None = None


PER_QUERY = 200
"""Studies or comparisons a query names in its VALUES when only some are read."""


ComparisonTerm = tuple[str, str | None, float | None]
"""One thing a comparison filter tests of a comparison, as the projection keeps it: (kind,
term, number). ``("drug", IRI, None)`` and ``("comparator", IRI, None)``: a drug its
intervention or comparator arm gives; ``("endpoint", name, None)``: a lower-case name or
alternate name of its endpoint (a comparison is on one); ``("p", None, p)``: a numeric
p-value; ``("estimate", statistic IRI or None, 1.0 if derived else 0.0)``: an estimate, once
with each statistic it has, without one if it has none."""


@dataclass
class StudyFacets:
    """What the listings test of one study: ``key`` is ``None`` for a study that is not a trial
    (a registry's non-trial study, or one the store no longer holds), which the trial listings
    leave out; its comparisons are listed either way."""

    key: str | None = None
    """Sort key: the least rdfs:label, lower-cased ("" without one)."""
    names: set[str] = field(default_factory=set)
    """Lower-case label, name and alternate names: what the text filter searches."""
    identifiers: set[str] = field(default_factory=set)
    """Lower-case IRI, label, alternate names, identifiers and registry ids: what
    ``trial(id:)`` looks up case-insensitively."""
    terms: set[tuple[str, str]] = field(default_factory=set)
    """(kind, IRI): the drugs (``drug``), conditions (``condition``, of the trial or its
    population) and phases (``phase``) the trial filters join on."""
    comparisons: dict[str, set[ComparisonTerm]] = field(default_factory=dict)
    """Its comparisons (on its endpoints), each with what the comparison filters test."""

    @property
    def joined_names(self) -> str | None:
        """The names, each after a separator (``None`` without one): a needle is in a name
        exactly when it is in this text, unless it holds the separator."""
        return "".join(NAME_SEPARATOR + name for name in sorted(self.names)) or None


EVERY_STUDY = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT DISTINCT ?study WHERE { VALUES ?kind { ekg:Trial ekg:Study } ?study a ?kind }
"""


def every_study(store: Store) -> list[str]:
    """Every trial and study ``store`` holds: what the projection keeps rows of (a study's
    named graph holds its own, so the write path marks the studies of the graphs it writes)."""
    return sorted(row[0] for row in store.select_values(EVERY_STUDY) if row[0] is not None)


def _values(variable: str, iris: Sequence[str] | None) -> Iterator[str]:
    """A query's VALUES parameter for ``iris``, :data:`PER_QUERY` at a time; nothing (every
    resource) when ``None``."""
    if iris is None:
        yield ""
        return
    for start in range(0, len(iris), PER_QUERY):
        yield f"VALUES ?{variable} {{ {values(iris[start : start + PER_QUERY])} }}"


def read_facets(store: Store, studies: Sequence[str] | None = None) -> dict[str, StudyFacets]:
    """The facets of ``studies`` (every study of ``store`` when ``None``), each study given
    whether or not ``store`` holds it (one it does not hold has no key and no comparisons).

    Every study at once reads each kind of fact in one scan of the store (2.6 ms a study at
    10,000 trials); some studies, by VALUES (9-14 ms a study: oxigraph joins each bound value
    on its own), which suits the few a write changes."""
    found: dict[str, StudyFacets] = defaultdict(StudyFacets)
    for study in studies or ():
        found[study] = StudyFacets()
    labels: dict[str, list[str]] = defaultdict(list)
    for block in _values("item", studies):
        for item, kind, name in store.select_values(render("facets_names", studies=block)):
            if item is None:
                continue
            facets = found[item]
            facets.identifiers.add(item.lower())
            if name is None or kind is None:
                continue
            lowered = name.lower()
            if kind in ("label", "name", "alternateName"):
                facets.names.add(lowered.replace(NAME_SEPARATOR, ""))
            if kind != "name":
                facets.identifiers.add(lowered)
            if kind == "label":
                labels[item].append(name)
        for item, kind, term in store.select_values(render("facets_terms", studies=block)):
            if item is not None and kind is not None and term is not None:
                found[item].terms.add((kind, term))
    endpoints: dict[str, str] = {}
    for block in _values("study", studies):
        for owner, endpoint in store.select_values(render("facets_endpoints", studies=block)):
            if owner is not None and endpoint is not None:
                endpoints.setdefault(endpoint, owner)
    owners: dict[str, str] = {}
    names: dict[str, set[str]] = defaultdict(set)
    on: dict[str, str] = {}
    for block in _values("endpoint", None if studies is None else sorted(endpoints)):
        query = render("facets_comparisons", endpoints=block)
        for endpoint, compared, name in store.select_values(query):
            if endpoint is None or endpoint not in endpoints:
                continue
            if name is not None:
                names[endpoint].add(name.lower())
            if compared is not None and compared not in owners:
                owners[compared], on[compared] = endpoints[endpoint], endpoint
                found[endpoints[endpoint]].comparisons[compared] = set()
    for compared, endpoint in on.items():
        found[owners[compared]].comparisons[compared].update(
            ("endpoint", name, None) for name in names[endpoint]
        )
    for block in _values("item", None if studies is None else sorted(owners)):
        query = render("facets_comparison_terms", comparisons=block)
        for item, kind, term, derived in store.select_values(query):
            owner = owners.get(item or "")
            if owner is not None and item is not None and kind is not None:
                found[owner].comparisons[item].update(_terms(kind, term, derived))
    for item, facets in found.items():
        if facets.identifiers:  # a trial: facets_names gives every trial a row
            facets.key = min(labels[item], default="").lower()
    return dict(found)


def _terms(kind: str, term: str | None, derived: str | None) -> list[ComparisonTerm]:
    """The :data:`ComparisonTerm` one row of facets_comparison_terms.rq gives (none for a drug
    or p-value row without its term)."""
    if kind == "estimate":
        return [(kind, term, float(derived == "true"))]
    if term is None:
        return []
    if kind == "p":
        return [(kind, None, float(term))]
    return [(kind, term, None)]
