"""Batched reads: each function answers for many IRIs with one SPARQL query.

Why batched: a GraphQL request for 30 trials with their arms, endpoints and results must cost a
fixed number of store queries, not one per trial (the N+1 problem). Callers (the GraphQL
DataLoaders) collect the IRIs one level of the request needs and call these once per level.
Listings push filters, ordering, paging and counting into SPARQL, so no listing loads all trials
into Python.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rdflib import Literal
from rdflib.term import Identifier

from kg.readmodel import model
from kg.readmodel.sparql import (
    BadValue,
    decimal_literal,
    fragment,
    iri,
    render,
    string_literal,
    values,
)
from kg.store import Store, select

Row = dict[str, Identifier]
T = TypeVar("T")


# Converting RDF terms to Python values -----------------------------------------------------------


def _str(row: Row, key: str) -> str | None:
    term = row.get(key)
    return None if term is None else str(term)


def _int(row: Row, key: str) -> int | None:
    term = row.get(key)
    if isinstance(term, Literal):
        try:
            return int(term.toPython())
        except (TypeError, ValueError):
            return None
    return None


def _float(row: Row, key: str) -> float | None:
    term = row.get(key)
    if isinstance(term, Literal):
        try:
            return float(term.toPython())
        except (TypeError, ValueError):
            return None
    return None


def _bool(row: Row, key: str) -> bool | None:
    term = row.get(key)
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, bool) else str(term).lower() in {"true", "1"}
    return None


def _date(row: Row, key: str) -> datetime.date | None:
    term = row.get(key)
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, datetime.date):
            return value
    return None


def _rows(store: Store, name: str, ids: Iterable[str]) -> list[Row]:
    body = values(ids)
    if not body:
        return []
    return select(store, render(name, ids=body)).rows


def _first_by_id(rows: Iterable[Row], build: Callable[[str, Row], T]) -> dict[str, T]:
    """One object per ``?id``: optional multi-valued columns can repeat rows; the first wins."""
    built: dict[str, T] = {}
    for row in rows:
        key = str(row["id"])
        if key not in built:
            built[key] = build(key, row)
    return built


# Entities ----------------------------------------------------------------------------------------


def read_trials(store: Store, ids: Sequence[str]) -> dict[str, model.Trial]:
    """Trials by IRI (absent IRIs are absent from the answer)."""
    return _first_by_id(
        _rows(store, "trial", ids),
        lambda key, row: model.Trial(
            id=key,
            acronym=_str(row, "acronym"),
            title=_str(row, "title"),
            phase=_str(row, "phase"),
            allocation_ratio=_str(row, "allocationRatio"),
            enrollment=_int(row, "enrollment"),
            randomized=_int(row, "randomized"),
            start_date=_date(row, "startDate"),
            primary_completion_date=_date(row, "primaryCompletionDate"),
            results_first_posted=_date(row, "resultsFirstPosted"),
            crossover_rule=_str(row, "crossoverRule"),
            population=_str(row, "population"),
            allocation=_str(row, "allocation"),
            masking=_str(row, "masking"),
            intervention_model=_str(row, "interventionModel"),
            primary_purpose=_str(row, "primaryPurpose"),
        ),
    )


def read_registrations(store: Store, ids: Sequence[str]) -> dict[str, model.Registration]:
    return _first_by_id(
        _rows(store, "registration", ids),
        lambda key, row: model.Registration(
            id=key,
            registry=_str(row, "registry"),
            registry_id=_str(row, "registryId"),
            registered_phase=_str(row, "registeredPhase"),
        ),
    )


def read_populations(store: Store, ids: Sequence[str]) -> dict[str, model.Population]:
    labels: dict[str, str | None] = {}
    criteria: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, "population", ids):
        key = str(row["id"])
        labels.setdefault(key, _str(row, "label"))
        criterion = _str(row, "criterion")
        if criterion is not None and criterion not in criteria[key]:
            criteria[key].append(criterion)
    return {
        key: model.Population(id=key, label=label, inclusion_criteria=tuple(criteria[key]))
        for key, label in labels.items()
    }


def read_arms(store: Store, ids: Sequence[str]) -> dict[str, model.Arm]:
    return _first_by_id(
        _rows(store, "arm", ids),
        lambda key, row: model.Arm(
            id=key,
            label=_str(row, "label"),
            role=_str(row, "role"),
            participants=_int(row, "participants"),
            allocation_weight=_int(row, "allocationWeight"),
        ),
    )


def read_interventions(store: Store, ids: Sequence[str]) -> dict[str, model.Intervention]:
    return _first_by_id(
        _rows(store, "intervention", ids),
        lambda key, row: model.Intervention(
            id=key,
            label=_str(row, "label"),
            drug=_str(row, "drug"),
            dose_value=_float(row, "doseValue"),
            dose_unit=_str(row, "doseUnit"),
            dose_comparator=_str(row, "doseComparator"),
            dosage_form=_str(row, "dosageForm"),
            route=_str(row, "route"),
            frequency=_str(row, "frequency"),
            maximum_duration=_str(row, "maximumDuration"),
            dose_escalation_allowed=_bool(row, "doseEscalationAllowed"),
        ),
    )


def read_drugs(store: Store, ids: Sequence[str]) -> dict[str, model.Drug]:
    return _first_by_id(
        _rows(store, "drug", ids),
        lambda key, row: model.Drug(
            id=key,
            name=_str(row, "name"),
            proprietary_name=_str(row, "proprietaryName"),
            exact_match=_str(row, "exactMatch"),
        ),
    )


def read_conditions(store: Store, ids: Sequence[str]) -> dict[str, model.Condition]:
    return _first_by_id(
        _rows(store, "condition", ids),
        lambda key, row: model.Condition(
            id=key,
            name=_str(row, "name"),
            alternate_name=_str(row, "alternateName"),
            exact_match=_str(row, "exactMatch"),
        ),
    )


def read_xrefs(store: Store, ids: Sequence[str]) -> dict[str, list[model.Xref]]:
    """Codes of drugs or conditions in other vocabularies, by owner IRI."""
    found: dict[str, list[model.Xref]] = defaultdict(list)
    for row in _rows(store, "xref", ids):
        xref = model.Xref(scheme=_str(row, "scheme"), code=str(row["code"]), iri=_str(row, "iri"))
        if xref not in found[str(row["id"])]:
            found[str(row["id"])].append(xref)
    return dict(found)


def read_endpoints(store: Store, ids: Sequence[str]) -> dict[str, model.Endpoint]:
    return _first_by_id(
        _rows(store, "endpoint", ids),
        lambda key, row: model.Endpoint(
            id=key,
            name=_str(row, "name"),
            alternate_name=_str(row, "alternateName"),
            kind=_str(row, "kind"),
            definition=_str(row, "definition"),
            time_frame=_str(row, "timeFrame"),
        ),
    )


def read_reports(store: Store, ids: Sequence[str]) -> dict[str, model.Report]:
    return _first_by_id(
        _rows(store, "report", ids),
        lambda key, row: model.Report(
            id=key,
            label=_str(row, "label"),
            kind=_str(row, "kindLabel"),
            kind_iri=_str(row, "kind"),
            follow_up=_str(row, "followUp"),
            minimum_follow_up=_str(row, "minimumFollowUp"),
            publication=_str(row, "publication"),
        ),
    )


def read_arm_results(store: Store, ids: Sequence[str]) -> dict[str, model.ArmResult]:
    return _first_by_id(
        _rows(store, "arm_result", ids),
        lambda key, row: model.ArmResult(
            id=key,
            label=_str(row, "label"),
            arm=_str(row, "arm"),
            endpoint=_str(row, "endpoint"),
            report=_str(row, "report"),
            measure=_str(row, "measure"),
            time_point=_str(row, "timePoint"),
            analysis_population=_str(row, "analysisPopulation"),
            analysis_population_label=_str(row, "analysisPopulationLabel"),
            percentage=_float(row, "percentage"),
            unit=_str(row, "unit"),
            count=_int(row, "count"),
            denominator=_int(row, "denominator"),
            derived="generatedBy" in row,
            approximate_count=_int(row, "approximateCount"),
            approximate_denominator=_int(row, "approximateDenominator"),
            approximate_method=_str(row, "approximateMethod"),
        ),
    )


def read_comparisons(store: Store, ids: Sequence[str]) -> dict[str, model.Comparison]:
    return _first_by_id(
        _rows(store, "comparison", ids),
        lambda key, row: model.Comparison(
            id=key,
            label=_str(row, "label"),
            endpoint=_str(row, "endpoint"),
            report=_str(row, "report"),
            intervention=_str(row, "intervention"),
            comparator=_str(row, "comparator"),
            intervention_result=_str(row, "interventionResult"),
            comparator_result=_str(row, "comparatorResult"),
            analysis_population=_str(row, "analysisPopulation"),
            analysis_population_label=_str(row, "analysisPopulationLabel"),
            analysis_method=_str(row, "analysisMethod"),
            p_value=_float(row, "pValue"),
            p_value_comparator=_str(row, "pValueComparator"),
            significant=_bool(row, "significant"),
        ),
    )


def _method(row: Row) -> model.StatisticalMethod | None:
    method = _str(row, "method")
    if method is None:
        return None
    return model.StatisticalMethod(
        id=method, name=_str(row, "methodLabel"), definition=_str(row, "methodDefinition")
    )


def read_estimates(store: Store, ids: Sequence[str]) -> dict[str, model.EffectEstimate]:
    return _first_by_id(
        _rows(store, "estimate", ids),
        lambda key, row: model.EffectEstimate(
            id=key,
            label=_str(row, "label"),
            statistic=_str(row, "statistic"),
            value=_float(row, "value"),
            ci_lower=_float(row, "ciLower"),
            ci_upper=_float(row, "ciUpper"),
            ci_level=_float(row, "ciLevel"),
            computation=_str(row, "computation"),
            method=_method(row),
        ),
    )


def read_sources(store: Store, ids: Sequence[str]) -> dict[str, model.SourceDocument]:
    """Source documents by IRI; publications have ``is_publication`` set."""
    return _first_by_id(
        _rows(store, "source", ids),
        lambda key, row: model.SourceDocument(
            id=key,
            is_publication=bool(_bool(row, "isPublication")),
            key=_str(row, "key"),
            label=_str(row, "label"),
            title=_str(row, "title"),
            doi=_str(row, "doi"),
            date_published=_str(row, "datePublished"),
            journal=_str(row, "journal"),
            url=_str(row, "url"),
            about=_str(row, "about"),
        ),
    )


def read_authors(store: Store, ids: Sequence[str]) -> dict[str, list[model.Author]]:
    """Authors of publications in published order."""
    found: dict[str, list[model.Author]] = defaultdict(list)
    for row in _rows(store, "authors", ids):
        found[str(row["id"])].append(
            model.Author(
                id=str(row["author"]), name=_str(row, "name"), position=_int(row, "position") or 0
            )
        )
    return {key: sorted(authors, key=lambda a: a.position) for key, authors in found.items()}


def read_crossovers(store: Store, ids: Sequence[str]) -> dict[str, model.CrossoverResult]:
    return _first_by_id(
        _rows(store, "crossover", ids),
        lambda key, row: model.CrossoverResult(
            id=key,
            label=_str(row, "label"),
            arm=_str(row, "arm"),
            crossover_to=_str(row, "crossoverTo"),
            report=_str(row, "report"),
            count=_int(row, "count"),
            percentage=_float(row, "percentage"),
            median_months=_float(row, "medianMonths"),
        ),
    )


def read_findings(store: Store, ids: Sequence[str]) -> dict[str, model.Finding]:
    return _first_by_id(
        _rows(store, "finding", ids),
        lambda key, row: model.Finding(
            id=key,
            label=_str(row, "label"),
            kind=_str(row, "kind"),
            statement=_str(row, "statement"),
            about=_str(row, "about"),
        ),
    )


def read_derivations(store: Store, ids: Sequence[str]) -> dict[str, list[model.Derivation]]:
    """The sources each fact rests on, with the curators' statement, by fact IRI."""
    found: dict[str, list[model.Derivation]] = defaultdict(list)
    for row in _rows(store, "derivation", ids):
        key = str(row["id"])
        found[key].append(
            model.Derivation(
                subject=key, source=str(row["source"]), statement=_str(row, "statement")
            )
        )
    return dict(found)


def read_node_types(store: Store, ids: Sequence[str]) -> dict[str, set[str]]:
    """The ontology classes (IRIs) of each resource."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "node_type", ids):
        found[str(row["id"])].add(str(row["type"]))
    return dict(found)


def read_drug_trials(store: Store, ids: Sequence[str]) -> dict[str, list[str]]:
    """Trials giving each drug in any arm, by drug IRI."""
    found: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, "drug_trials", ids):
        found[str(row["id"])].append(str(row["trial"]))
    return dict(found)


# Links -------------------------------------------------------------------------------------------


def read_links(store: Store, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """Objects (IRIs or blank nodes) of each (subject, predicate) pair, sorted by IRI."""
    unique = list(dict.fromkeys(pairs))
    if not unique:
        return {}
    body = " ".join(f"({iri(s)} {iri(p)})" for s, p in unique)
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in select(store, render("links", pairs=body)).rows:
        found[(str(row["s"]), str(row["p"]))].append(str(row["o"]))
    return dict(found)


def read_backlinks(
    store: Store, triples: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str, str], list[str]]:
    """Subjects of class ``type`` linking to ``object`` by ``predicate``, by (object, predicate,
    type), sorted by IRI."""
    unique = list(dict.fromkeys(triples))
    if not unique:
        return {}
    body = " ".join(f"({iri(o)} {iri(p)} {iri(t)})" for o, p, t in unique)
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in select(store, render("backlinks", triples=body)).rows:
        found[(str(row["o"]), str(row["p"]), str(row["type"]))].append(str(row["s"]))
    return dict(found)


# Lookups by user identifiers ---------------------------------------------------------------------


def _single(rows: list[Row], variable: str) -> str | None:
    return str(rows[0][variable]) if rows else None


def find_trial(store: Store, identifier: str) -> str | None:
    """The trial an IRI, acronym or registry id names (case-insensitive), if any."""
    query = render("trial_lookup", value=string_literal(identifier.strip().lower()))
    return _single(select(store, query).rows, "trial")


def find_drug(store: Store, identifier: str) -> str | None:
    """The drug an IRI, name, brand name or code (CHEBI:49375, DB01254, ...) names, if any."""
    match = fragment("drug_match", value=string_literal(identifier.strip().lower()))
    return _single(select(store, render("drug_lookup", drug_match=match)).rows, "drug")


def list_drugs(store: Store, limit: int) -> list[str]:
    """Drug IRIs by name, at most ``limit``."""
    rows = select(store, render("drugs", limit=str(int(limit)))).rows
    return [str(row["drug"]) for row in rows]


DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def find_publication(store: Store, doi: str) -> str | None:
    """The publication with a DOI; a resolver prefix (https://doi.org/, doi:) is ignored."""
    bare = DOI_PREFIX.sub("", doi.strip()).lower()
    rows = select(store, render("publication_by_doi", value=string_literal(bare))).rows
    return _single(rows, "publication")


# Listings: filters, keyset pagination, counts ----------------------------------------------------


@dataclass(frozen=True)
class TrialFilter:
    """Trials giving ``drug`` (any identifier), studying ``condition`` (name substring, code or
    IRI), in ``phase`` (or a narrower one), whose acronym or title contains ``text``."""

    drug: str | None = None
    condition: str | None = None
    phase: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class ComparisonFilter:
    """Comparisons whose intervention arm gives ``drug``, comparator arm gives ``comparator``,
    on an endpoint whose name contains ``endpoint``, with a p-value at most ``max_p_value``,
    and with an estimate of ``statistic`` (an ekg:StatisticType IRI) that is derived or
    reported as ``derived`` says."""

    drug: str | None = None
    comparator: str | None = None
    endpoint: str | None = None
    max_p_value: float | None = None
    statistic: str | None = None
    derived: bool | None = None


def normalize_phase(phase: str) -> str:
    """The form phase labels are compared in: "Phase 2b", "phase 2B" and "2b" all give "phase2b".

    >>> normalize_phase("2b"), normalize_phase("Phase II")
    ('phase2b', 'phaseii')
    """
    compact = re.sub(r"[^a-z0-9]", "", phase.lower())
    return compact if compact.startswith("phase") else f"phase{compact}"


def _lower(value: str) -> str:
    return string_literal(value.strip().lower())


def _trial_match(where: TrialFilter) -> str:
    filters: list[str] = []
    if where.drug:
        match = fragment("drug_match", value=_lower(where.drug))
        filters.append(fragment("trial_filter_drug", drug_match=match))
    if where.condition:
        filters.append(fragment("trial_filter_condition", value=_lower(where.condition)))
    if where.phase:
        value = string_literal(normalize_phase(where.phase))
        filters.append(fragment("trial_filter_phase", value=value))
    if where.text:
        filters.append(fragment("trial_filter_text", value=_lower(where.text)))
    return fragment("trial_match", filters="\n".join(filters))


def _comparison_match(where: ComparisonFilter) -> str:
    filters: list[str] = []
    if where.drug:
        match = fragment("drug_match", value=_lower(where.drug))
        filters.append(fragment("comparison_filter_drug", drug_match=match))
    if where.comparator:
        match = fragment("drug_match", value=_lower(where.comparator))
        filters.append(fragment("comparison_filter_comparator", drug_match=match))
    if where.endpoint:
        filters.append(fragment("comparison_filter_endpoint", value=_lower(where.endpoint)))
    if where.max_p_value is not None:
        value = decimal_literal(where.max_p_value)
        filters.append(fragment("comparison_filter_max_p_value", value=value))
    if where.statistic is not None or where.derived is not None:
        statistic = (
            fragment("estimate_statistic", statistic=iri(where.statistic))
            if where.statistic is not None
            else ""
        )
        derived = ""
        if where.derived is not None:
            derived = fragment("estimate_derived" if where.derived else "estimate_reported")
        filters.append(fragment("comparison_filter_estimate", statistic=statistic, derived=derived))
    return fragment("comparison_match", filters="\n".join(filters))


def encode_cursor(key: str, item: str) -> str:
    """An opaque cursor for the row sorted at (key, IRI).

    >>> decode_cursor(encode_cursor("dascern", "https://example.org/t"))
    ('dascern', 'https://example.org/t')
    """
    raw = json.dumps([key, item], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (key, IRI) of a cursor from :func:`encode_cursor`, or :class:`BadValue`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, item = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadValue("invalid cursor: pass an endCursor or edge cursor unchanged") from error
    if not isinstance(key, str) or not isinstance(item, str):
        raise BadValue("invalid cursor: pass an endCursor or edge cursor unchanged")
    return key, item


def _page(store: Store, match: str, first: int, after: str | None) -> model.Page:
    after_filter = ""
    if after:
        key, item = decode_cursor(after)
        after_filter = fragment(
            "page_after", key=string_literal(key), iri=string_literal(iri(item)[1:-1])
        )
    query = render("page", match=match, after=after_filter, limit=str(int(first) + 1))
    rows = select(store, query).rows
    items = tuple(
        (str(row["item"]), encode_cursor(str(row.get("key", "")), str(row["item"])))
        for row in rows[:first]
    )
    return model.Page(items=items, has_next_page=len(rows) > first)


def _count(store: Store, match: str) -> int:
    rows = select(store, render("count", match=match)).rows
    return _int(rows[0], "count") or 0 if rows else 0


def page_trials(store: Store, where: TrialFilter, first: int, after: str | None) -> model.Page:
    """At most ``first`` trials matching ``where``, after cursor ``after``, by acronym."""
    return _page(store, _trial_match(where), first, after)


def count_trials(store: Store, where: TrialFilter) -> int:
    """How many trials match ``where`` (a SPARQL COUNT)."""
    return _count(store, _trial_match(where))


def page_comparisons(
    store: Store, where: ComparisonFilter, first: int, after: str | None
) -> model.Page:
    """At most ``first`` comparisons matching ``where``, after cursor ``after``, by IRI."""
    return _page(store, _comparison_match(where), first, after)


def count_comparisons(store: Store, where: ComparisonFilter) -> int:
    """How many comparisons match ``where`` (a SPARQL COUNT)."""
    return _count(store, _comparison_match(where))
