"""What the listings filter, sort and look up, per study: read from a store for the projection.

Why: the listings (:mod:`kg.readmodel.listing`) find, sort and count every match in the store
before a page is cut (1.3 s a page at 100,000 trials; the text filter and the lookup of a trial
by a name not given exactly, which oxigraph cannot index, 7.8 and 10 s). Each study's facets (its
sort key, the names the text filter searches and ``trial(id:)`` looks up, the drugs, conditions
and phases the filters join on, its comparisons with theirs) are kept as rows in the projection
(:mod:`kg.projection`), where a page is an indexed SQL query.

The facets say, per study, exactly what the SPARQL of the listings tests, read by the queries
``kg/queries/readmodel/facets_*.rq``: tests compare every listing answered from them with the
same listing answered by the store.
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


STUDIES_PER_QUERY = 200
"""Studies a query names in its VALUES when only some studies are read."""


@dataclass
class ComparisonFacets:
    """What the comparison filters test of one comparison."""

    drugs: set[str] = field(default_factory=set)
    """Drugs its intervention arm gives."""
    comparators: set[str] = field(default_factory=set)
    """Drugs its comparator arm gives."""
    endpoint_names: set[str] = field(default_factory=set)
    """Its endpoints' names and alternate names, lower-cased."""
    p_values: set[float] = field(default_factory=set)
    """Its numeric p-values."""
    estimates: set[tuple[str, str | None, bool]] = field(default_factory=set)
    """Its estimates: (estimate, statistic or ``None``, derived)."""


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
    comparisons: dict[str, ComparisonFacets] = field(default_factory=dict)

    @property
    def joined_names(self) -> str | None:
        """The names, each after a separator (``None`` without one): a needle is in a name
        exactly when it is in this text, unless it holds the separator."""
        return "".join(NAME_SEPARATOR + name for name in sorted(self.names)) or None


EVERY_STUDY = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT DISTINCT ?study WHERE { ?study a ?kind FILTER(?kind IN (ekg:Trial, ekg:Study)) }
"""


def every_study(store: Store) -> list[str]:
    """Every trial and study ``store`` holds: what the projection keeps rows of (a study's
    named graph holds its own, so the write path marks the studies of the graphs it writes)."""
    return sorted(row[0] for row in store.select_values(EVERY_STUDY) if row[0] is not None)


def _batches(studies: Sequence[str] | None) -> Iterator[str]:
    """The ``{{studies}}`` parameter for each query: nothing (every study), or VALUES blocks."""
    if studies is None:
        yield ""
        return
    for start in range(0, len(studies), STUDIES_PER_QUERY):
        chunk = studies[start : start + STUDIES_PER_QUERY]
        yield f"VALUES ?item {{ {values(chunk)} }}"


def read_facets(store: Store, studies: Sequence[str] | None = None) -> dict[str, StudyFacets]:
    """The facets of ``studies`` (every study of ``store`` when ``None``), each study given
    whether or not ``store`` holds it (one it does not hold has no key and no comparisons)."""
    found: dict[str, StudyFacets] = defaultdict(StudyFacets)
    for study in studies or ():
        found[study] = StudyFacets()
    labels: dict[str, list[str]] = defaultdict(list)
    for block in _batches(studies):
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
        comparisons = render("facets_comparisons", studies=block.replace("?item", "?study", 1))
        for owner, compared, what, value, estimate, derived in store.select_values(comparisons):
            if owner is None or compared is None:
                continue
            comparison = found[owner].comparisons.setdefault(compared, ComparisonFacets())
            _add(comparison, what, value, estimate, derived)
    for item, facets in found.items():
        if facets.identifiers:  # a trial: facets_names gives every trial a row
            facets.key = min(labels[item], default="").lower()
    return dict(found)


def _add(
    comparison: ComparisonFacets,
    kind: str | None,
    term: str | None,
    estimate: str | None,
    derived: str | None,
) -> None:
    """One row of facets_comparisons.rq into ``comparison``."""
    if kind == "estimate" and estimate is not None:
        comparison.estimates.add((estimate, term, derived == "true"))
    elif term is None:
        return
    elif kind == "drug":
        comparison.drugs.add(term)
    elif kind == "comparator":
        comparison.comparators.add(term)
    elif kind == "endpoint":
        comparison.endpoint_names.add(term.lower())
    elif kind == "p":
        comparison.p_values.add(float(term))
