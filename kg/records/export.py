"""A trial's graph written back as a trial record (``kg export --format record --trial ID``).

The inverse of :mod:`kg.records.mapping`, field by field, so that a record imported and exported
is the same record. What the graph does not keep, the record cannot get back, so lists are
written in one canonical order: parts by id, identifiers, designs and criteria alphabetically,
sources by key (:func:`canonical` puts any record in that order). Derived facts (estimates,
reconstructed counts, significance verdicts) are the code's, not the curator's, and are left
out.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import yaml
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.records import values, vocabulary
from kg.records.source import FORMAT
from kg.store import Store
from kg.vocab import EKG, PROV, RDF, RDFS, SCHEMA, SKOS

Json = dict[str, Any]
Names = Callable[[str], str]

ORDERED_LISTS = ("registrations", "arms", "endpoints", "reports", "results", "comparisons",
                 "crossovers", "findings")


class _Reader:
    def __init__(self, graph: Graph, trial: URIRef, names: Names) -> None:
        self.graph = graph
        self.trial = trial
        self.names = names
        self.keys = {
            str(source): str(key) for source, key in graph.subject_objects(EKG.sourceKey)
        }

    def one(self, node: Node, predicate: URIRef) -> Node | None:
        found = sorted(self.graph.objects(node, predicate), key=str)
        return found[0] if found else None

    def text(self, node: Node, predicate: URIRef) -> str | None:
        value = self.one(node, predicate)
        return str(value) if value is not None else None

    def whole(self, node: Node, predicate: URIRef) -> int | None:
        value = self.one(node, predicate)
        return int(str(value)) if value is not None else None

    def word(self, node: Node, predicate: URIRef, table: vocabulary.Table) -> str | None:
        value = self.one(node, predicate)
        return vocabulary.word(table, value) if value is not None else None

    def local(self, node: Node | None, prefix: str) -> str | None:
        if node is None:
            return None
        return str(node).rsplit("/", 1)[-1].removeprefix(f"{prefix}-")

    def sources(self, node: Node) -> Json:
        statements: dict[str, str] = {}
        for derivation in self.graph.objects(node, PROV.qualifiedDerivation):
            entity = self.one(derivation, PROV.entity)
            statement = self.text(derivation, EKG.statement)
            if entity is not None and statement is not None:
                statements[self.keys.get(str(entity), str(entity))] = statement
        return dict(sorted(statements.items()))

    def derived(self, node: Node) -> bool:
        return self.one(node, PROV.wasGeneratedBy) is not None

    def parts(self, kind: URIRef, prefix: str) -> list[URIRef]:
        start = f"{self.trial}/{prefix}-"
        return sorted(
            (n for n in self.graph.subjects(RDF.type, kind)
             if isinstance(n, URIRef) and str(n).startswith(start) and not self.derived(n)),
            key=lambda n: self.local(n, prefix) or "",
        )


def _put(target: Json, key: str, value: object) -> None:
    if value is not None and value != [] and value != {}:
        target[key] = value


def _number(literal: Node | None) -> int | float | None:
    if literal is None:
        return None
    value = Decimal(str(literal))
    return int(value) if value == value.to_integral_value() else float(value)


def _share(reader: _Reader, node: Node, target: Json) -> None:
    percentage = reader.text(node, EKG.percentage)
    if percentage is not None:
        places = reader.whole(node, EKG.decimalPlaces)
        target["value"] = values.percentage_text(percentage, places)
        return
    _put(target, "value", _number(reader.one(node, RDF.value)))


def record_of(graph: Graph, trial: URIRef, names: Names) -> Json:
    """The record of ``trial`` from ``graph`` (its reported facts; derived ones are skipped).
    ``names`` gives the name a record uses for a drug, condition or journal node."""
    r = _Reader(graph, trial, names)
    record: Json = {"record": FORMAT, "id": str(trial).rsplit("/", 1)[-1]}
    _put(record, "acronym", r.text(trial, SCHEMA.alternateName))
    _put(record, "name", r.text(trial, SCHEMA.name))
    _put(record, "note", r.text(trial, SKOS.note))
    _put(record, "identifiers", sorted(str(i) for i in graph.objects(trial, SCHEMA.identifier)))
    _put(record, "design", sorted(
        w for w in (vocabulary.word(vocabulary.DESIGN, d) for d in graph.objects(trial, SCHEMA.trialDesign)) if w
    ))
    for key, predicate in (("phase", EKG.phase), ("allocation", EKG.allocation),
                           ("masking", EKG.masking), ("model", EKG.interventionModel),
                           ("purpose", EKG.primaryPurpose)):
        _put(record, key, r.word(trial, predicate, vocabulary.TABLES[key]))
    _put(record, "allocation ratio", r.text(trial, EKG.allocationRatio))
    _put(record, "enrollment", r.whole(trial, EKG.enrollment))
    _put(record, "randomized", r.whole(trial, EKG.randomized))
    _put(record, "start", r.text(trial, EKG.startDate))
    _put(record, "primary completion", r.text(trial, EKG.primaryCompletionDate))
    _put(record, "results first posted", r.text(trial, EKG.resultsFirstPosted))
    _put(record, "crossover rule", r.text(trial, EKG.crossoverRule))
    condition = r.one(trial, SCHEMA.healthCondition)
    _put(record, "condition", names(str(condition)) if condition is not None else None)
    _put(record, "sources", r.sources(trial))

    registrations = []
    for node in sorted(graph.objects(trial, EKG.registration), key=str):
        entry: Json = {}
        _put(entry, "registry", r.text(node, EKG.registry))
        _put(entry, "id", r.text(node, EKG.registryId))
        _put(entry, "phase", r.word(node, EKG.registeredPhase, vocabulary.PHASE))
        _put(entry, "sources", r.sources(node))
        registrations.append(entry)
    record["registrations"] = sorted(registrations, key=lambda e: str(e.get("id")))

    population = r.one(trial, EKG.population)
    if population is not None:
        entry = {}
        _put(entry, "label", r.text(population, RDFS.label))
        own = r.one(population, SCHEMA.healthCondition)
        if own is not None and own != condition:
            entry["condition"] = names(str(own))
        _put(entry, "inclusion", sorted(str(c) for c in graph.objects(population, EKG.inclusionCriterion)))
        _put(entry, "sources", r.sources(population))
        record["population"] = entry

    arms = []
    for node in r.parts(EKG.Arm, "arm"):
        entry = {"id": r.local(node, "arm")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "role", r.word(node, EKG.armRole, vocabulary.ROLE))
        _put(entry, "participants", r.whole(node, EKG.participants))
        _put(entry, "allocation weight", r.whole(node, EKG.allocationWeight))
        _put(entry, "sources", r.sources(node))
        intervention = r.one(node, EKG.intervention)
        if intervention is not None:
            given: Json = {}
            _put(given, "label", r.text(intervention, RDFS.label))
            drug = r.one(intervention, EKG.drug)
            _put(given, "drug", names(str(drug)) if drug is not None else None)
            dose = r.text(intervention, EKG.doseValue)
            if dose is not None:
                given["dose"] = values.dose_text(
                    r.text(intervention, EKG.doseComparator), dose,
                    r.text(intervention, EKG.doseUnit) or "",
                )
            _put(given, "form", r.text(intervention, SCHEMA.dosageForm))
            _put(given, "route", r.word(intervention, EKG.route, vocabulary.ROUTE))
            _put(given, "frequency", r.text(intervention, EKG.frequency))
            escalation = r.one(intervention, EKG.doseEscalationAllowed)
            if escalation is not None:
                given["dose escalation"] = "allowed" if str(escalation) == "true" else "not allowed"
            duration = r.text(intervention, EKG.maximumDuration)
            _put(given, "maximum duration", values.duration_text(duration) if duration else None)
            _put(given, "sources", r.sources(intervention))
            entry["intervention"] = given
        arms.append(entry)
    record["arms"] = arms

    endpoints = []
    for node in r.parts(EKG.Endpoint, "endpoint"):
        entry = {"id": r.local(node, "endpoint")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "short name", r.text(node, SCHEMA.alternateName))
        _put(entry, "better", r.word(node, EKG.benefitDirection, vocabulary.BETTER))
        _put(entry, "rank", r.word(node, EKG.endpointKind, vocabulary.RANK))
        _put(entry, "definition", r.text(node, SKOS.definition))
        _put(entry, "time frame", r.text(node, EKG.timeFrame))
        _put(entry, "kind", r.word(node, EKG.measureType, vocabulary.MEASURE))
        _put(entry, "sources", r.sources(node))
        endpoints.append(entry)
    _put(record, "endpoints", endpoints)

    reports = []
    for node in r.parts(EKG.Report, "report"):
        entry = {"id": r.local(node, "report")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "kind", r.word(node, EKG.reportKind, vocabulary.REPORT_KIND))
        _put(entry, "follow-up", r.text(node, EKG.followUp))
        minimum = r.text(node, EKG.minimumFollowUp)
        _put(entry, "minimum follow-up", values.duration_text(minimum) if minimum else None)
        publication = r.one(node, EKG.publication)
        _put(entry, "publication", r.keys.get(str(publication)) if publication is not None else None)
        _put(entry, "findings", sorted(r.local(f, "finding") or "" for f in graph.objects(node, EKG.finding)))
        _put(entry, "sources", r.sources(node))
        reports.append(entry)
    _put(record, "reports", reports)

    results = []
    for node in r.parts(EKG.ArmResult, "result"):
        entry = {"id": r.local(node, "result")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "arm", r.local(r.one(node, EKG.arm), "arm"))
        _put(entry, "endpoint", r.local(r.one(node, EKG.endpoint), "endpoint"))
        _put(entry, "report", r.local(r.one(node, EKG.report), "report"))
        _put(entry, "measure", r.text(node, EKG.measure))
        _put(entry, "kind", r.word(node, EKG.measureType, vocabulary.MEASURE))
        _put(entry, "time point", r.text(node, EKG.timePoint))
        relation = r.word(node, EKG.timePointRelation, vocabulary.RELATION)
        if relation is not None:
            unit = r.one(node, EKG.timePointUnit)
            entry["when"] = values.when_text(
                relation, r.text(node, EKG.timePointValue), str(unit) if unit is not None else None
            )
        _put(entry, "population", r.word(node, EKG.analysisPopulation, vocabulary.POPULATION))
        denominator = r.word(node, EKG.denominatorKind, vocabulary.DENOMINATOR)
        if denominator == "evaluable":
            denominator = f"evaluable {r.whole(node, EKG.denominator)}"
        _put(entry, "denominator", denominator)
        _put(entry, "count", r.whole(node, EKG.count))
        _share(r, node, entry)
        _put(entry, "sources", r.sources(node))
        results.append(entry)
    _put(record, "results", results)

    comparisons = []
    for node in r.parts(EKG.Comparison, "comparison"):
        entry = {"id": r.local(node, "comparison")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "endpoint", r.local(r.one(node, EKG.endpoint), "endpoint"))
        _put(entry, "report", r.local(r.one(node, EKG.report), "report"))
        _put(entry, "population", r.word(node, EKG.analysisPopulation, vocabulary.POPULATION))
        _put(entry, "method", r.text(node, EKG.analysisMethod))
        _put(entry, "intervention", r.local(r.one(node, EKG.intervention), "arm"))
        _put(entry, "comparator", r.local(r.one(node, EKG.comparator), "arm"))
        first, second = r.one(node, EKG.interventionResult), r.one(node, EKG.comparatorResult)
        if first is not None and second is not None:
            entry["results"] = [r.local(first, "result"), r.local(second, "result")]
        p_value = r.text(node, EKG.pValue)
        if p_value is not None:
            entry["p"] = values.p_value_text(r.text(node, EKG.pValueComparator), p_value)
        significant = r.one(node, EKG.significant)
        if significant is not None:
            entry["significant"] = str(significant) == "true"
        estimates = []
        for estimate in sorted(graph.objects(node, EKG.estimate), key=str):
            if r.derived(estimate):
                continue
            item: Json = {"id": str(estimate).rsplit("/", 1)[-1].removeprefix("estimate-")}
            _put(item, "label", r.text(estimate, RDFS.label))
            _put(item, "statistic", r.word(estimate, EKG.statistic, vocabulary.STATISTIC))
            for key, predicate in (("value", RDF.value), ("lower", EKG.ciLower),
                                   ("upper", EKG.ciUpper)):
                _put(item, key, _number(r.one(estimate, predicate)))
            level = r.text(estimate, EKG.ciLevel)
            if level is not None:
                item["level"] = values.percentage_text(str(Decimal(level) * 100), None)
            _put(item, "sources", r.sources(estimate))
            estimates.append(item)
        _put(entry, "estimates", estimates)
        _put(entry, "sources", r.sources(node))
        comparisons.append(entry)
    _put(record, "comparisons", comparisons)

    crossovers = []
    for node in r.parts(EKG.CrossoverResult, "crossover"):
        entry = {"id": r.local(node, "crossover")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "from", r.local(r.one(node, EKG.arm), "arm"))
        _put(entry, "to", r.local(r.one(node, EKG.crossoverTo), "arm"))
        _put(entry, "report", r.local(r.one(node, EKG.report), "report"))
        _put(entry, "count", r.whole(node, EKG.count))
        _share(r, node, entry)
        months = r.text(node, EKG.medianTimeToCrossoverMonths)
        if months is not None:
            entry["median time"] = values.months_text(months)
        _put(entry, "sources", r.sources(node))
        crossovers.append(entry)
    _put(record, "crossovers", crossovers)

    findings = []
    for node in r.parts(EKG.Finding, "finding"):
        entry = {"id": r.local(node, "finding")}
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "kind", r.word(node, EKG.findingKind, vocabulary.FINDING))
        about = r.one(node, EKG.about)
        if about == trial:
            entry["about"] = "trial"
        elif about is not None:
            segment = str(about).rsplit("/", 1)[-1]
            section, _, ident = segment.partition("-")
            entry["about"] = f"{section} {ident}"
        _put(entry, "statement", r.text(node, EKG.statement))
        _put(entry, "sources", r.sources(node))
        findings.append(entry)
    _put(record, "findings", findings)

    references: Json = {}
    for source, key in sorted(r.keys.items(), key=lambda item: item[1]):
        node = URIRef(source)
        entry = {}
        types = set(graph.objects(node, RDF.type))
        kind = ("publication" if SCHEMA.ScholarlyArticle in types
                else "news" if SCHEMA.NewsArticle in types else "registry record")
        entry["kind"] = kind
        entry["id"] = source.rsplit("/", 1)[-1]
        _put(entry, "label", r.text(node, RDFS.label))
        _put(entry, "title", r.text(node, SCHEMA.name))
        _put(entry, "doi", r.text(node, EKG.doi))
        _put(entry, "pmid", r.text(node, EKG.pmid))
        url = r.one(node, SCHEMA.url)
        _put(entry, "url", str(url) if url is not None else None)
        _put(entry, "published", r.text(node, SCHEMA.datePublished))
        journal = r.one(node, SCHEMA.isPartOf)
        _put(entry, "journal", names(str(journal)) if journal is not None else None)
        head = r.one(node, EKG.authorList)
        if isinstance(head, BNode | URIRef):
            entry["authors"] = [
                str(graph.value(person, SCHEMA.name) or person)
                for person in Collection(graph, head)
            ]
        about = r.one(node, SCHEMA.about)
        _put(entry, "about", r.keys.get(str(about)) if about is not None else None)
        references[key] = entry
    record["references"] = references
    return record


def canonical(record: Json) -> Json:
    """``record`` in the order :func:`record_of` writes: what a round trip gives back."""
    out = dict(record)
    for key in ORDERED_LISTS:
        if isinstance(out.get(key), list):
            items = sorted(out[key], key=lambda e: str(e.get("id")) if isinstance(e, dict) else "")
            out[key] = [_canonical_item(key, item) for item in items]
    for key in ("identifiers", "design"):
        if isinstance(out.get(key), list):
            out[key] = sorted(out[key])
    if isinstance(out.get("population"), dict):
        population = dict(out["population"])
        if isinstance(population.get("inclusion"), list):
            population["inclusion"] = sorted(population["inclusion"])
        population["sources"] = dict(sorted(population.get("sources", {}).items()))
        out["population"] = population
    out["sources"] = dict(sorted(out.get("sources", {}).items()))
    out["references"] = dict(sorted(out.get("references", {}).items()))
    return out


def _canonical_item(section: str, item: Json) -> Json:
    entry = dict(item)
    for key in ("minimum follow-up",):
        if isinstance(entry.get(key), str):
            entry[key] = values.canonical_span(entry[key])
    if isinstance(entry.get("sources"), dict):
        entry["sources"] = dict(sorted(entry["sources"].items()))
    if isinstance(entry.get("intervention"), dict):
        intervention = dict(entry["intervention"])
        if isinstance(intervention.get("maximum duration"), str):
            intervention["maximum duration"] = values.canonical_span(
                intervention["maximum duration"]
            )
        intervention["sources"] = dict(sorted(intervention.get("sources", {}).items()))
        entry["intervention"] = intervention
    if section == "reports" and isinstance(entry.get("findings"), list):
        entry["findings"] = sorted(entry["findings"])
    return entry


def dump(record: Json) -> str:
    """A record as YAML, fields in the schema's order, long text unwrapped."""
    text: str = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=10_000)
    return text



_TRIAL_GRAPHS = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT DISTINCT ?g WHERE { GRAPH ?g { <$trial> a ekg:Trial } }
"""


class UnknownTrial(LookupError):
    """No graph of the store holds the trial asked for."""


def trial_graph(store: Store, trial: str) -> Graph:
    """The graph the store keeps ``trial`` in (its record's, or the curated file's), as rdflib."""
    from kg.store import select

    graphs = [str(row["g"]) for row in select(store, _TRIAL_GRAPHS.replace("$trial", trial))]
    if not graphs:
        raise UnknownTrial(f"no trial <{trial}> in the store")
    graph = Graph()
    for name in graphs:
        for row in select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"):
            graph.add((row["s"], row["p"], row["o"]))
    return graph


def export_record(store: Store, base_iri: str, trial_id: str) -> Json:
    """The record of the trial ``trial_id`` as the store holds it."""
    from kg.records.mapping import trial_iri
    from kg.records.reference import ReferenceIndex

    trial = trial_iri(base_iri, trial_id)
    graph = trial_graph(store, trial)
    index = ReferenceIndex.from_store(store, base_iri)
    return record_of(graph, URIRef(trial), index.name)
