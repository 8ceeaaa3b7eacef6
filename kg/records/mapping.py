"""One trial record as the trial's graph in our model, with where each fact stands in the record.

The record is the curator's fact sheet: each part of the trial (the trial, its registrations,
population, arms and interventions, endpoints, reports, results, comparisons, crossovers and
findings) lists the sources it rests on, by key, with a statement in the curator's words of what
it rests on there. Each becomes ``prov:wasDerivedFrom`` the source and a qualified derivation
carrying the statement. Figures are read from a curator's way of writing them
(:mod:`kg.records.values`), with the kind of figure, its time point, denominator, precision and
the endpoint's direction of benefit kept as data. Nothing computed is written: derived facts are
added by :mod:`kg.derive`.

Mistakes become :class:`Problem` s naming the record path and line, never an internal error;
the JSON Schema (``schema/trial-record-1.schema.json``) catches the shape of the record first.
IRIs follow ``data/README.md``: the trial is ``trial/{id}``, its parts ``trial/{id}/arm-{arm}``,
``result-{result}``, ...; sources are ``publication/{id}`` or ``source/{id}``; drugs, conditions
and journals are found in the shared reference data (:mod:`kg.records.reference`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.ctgov.reconcile import slug
from kg.records import values, vocabulary
from kg.records.reference import ReferenceIndex
from kg.records.source import RecordText
from kg.vocab import EKG, PROV, QUDT_UNIT, RDF, RDFS, SCHEMA, SKOS, XSD, bind_prefixes

Json = Any
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """A mistake in a record: where (file:line /pointer), and what, in a curator's words."""

    where: str
    message: str
    severity: str = "Violation"

    def text(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Figure:
    """A figure the record states: the node and property holding it, its lexical form, the keys
    of the sources its node rests on, and where it stands in the record (the fact sheet)."""

    node: str
    predicate: str
    lexical: str
    keys: tuple[str, ...]
    where: str


@dataclass
class RecordGraph:
    """What a record maps to: the trial's triples, where each node came from, its figures,
    and every problem found on the way."""

    trial: str
    graph: Graph
    pointers: dict[str, str] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "Violation"]


def trial_iri(base_iri: str, trial_id: str) -> str:
    return f"{base_iri}trial/{trial_id}"


def graph_iri(base_iri: str, trial_id: str) -> str:
    """The named graph the write path keeps a trial imported from a record in."""
    return f"{base_iri}graph/trial/{trial_id}"


def registration_segment(registry: str, identifier: str) -> str:
    """``registration-nct01593254``, ``registration-eudract-2011-006181-41``: an identifier that
    names its registry by its letters stands alone, others are prefixed with the registry.

    >>> registration_segment("ClinicalTrials.gov", "NCT01593254")
    'registration-nct01593254'
    >>> registration_segment("EudraCT", "2011-006181-41")
    'registration-eudract-2011-006181-41'
    """
    own = slug(identifier)
    if own[:1].isalpha():
        return f"registration-{own}"
    return f"registration-{slug(registry)}-{own}"


class _Mapper:
    """Reads one record; :func:`map_record` is the entry point."""

    def __init__(self, record: RecordText, base_iri: str, reference: ReferenceIndex) -> None:
        self.record = record
        self.data: Json = record.data
        self.base = base_iri
        self.reference = reference
        self.trial_id = str(self.data.get("id", ""))
        self.trial = trial_iri(base_iri, self.trial_id)
        self.graph = bind_prefixes(Graph())
        self.result = RecordGraph(self.trial, self.graph)
        self.sources: dict[str, URIRef] = {}
        self.drugs: set[URIRef] = set()
        self.condition: URIRef | None = None

    # --- helpers -------------------------------------------------------------------------------

    def where(self, path: Path) -> str:
        return self.record.where(path)

    def problem(self, path: Path, message: str, severity: str = "Violation") -> None:
        self.result.problems.append(Problem(self.where(path), message, severity))

    def node(self, *parts: str) -> URIRef:
        return URIRef("/".join((self.trial, *parts)) if parts else self.trial)

    def add(self, subject: URIRef | BNode, predicate: URIRef, value: URIRef | Literal | BNode) -> None:
        self.graph.add((subject, predicate, value))

    def at(self, node: URIRef, path: Path, predicate: URIRef | None = None) -> None:
        key = f"<{node}>" if predicate is None else f"<{node}> {predicate}"
        self.result.pointers.setdefault(key, self.where(path))

    def read(self, path: Path, reader: Callable[[Any], Any]) -> Any:
        """``reader(value)`` of the value at ``path``; a problem (and None) if it cannot."""
        value = self._value(path)
        try:
            return reader(value)
        except values.ValueProblem as problem:
            self.problem(path, str(problem))
            return None

    def _value(self, path: Path) -> Json:
        node: Json = self.data
        for part in path:
            node = node[part]
        return node

    def has(self, path: Path) -> bool:
        node: Json = self.data
        for part in path:
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return False
        return node is not None

    def text(self, node: URIRef, predicate: URIRef, path: Path) -> None:
        if self.has(path):
            value = self._value(path)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.problem(path, f"expected text, got {value!r}")
                return
            self.add(node, predicate, Literal(str(value).strip()))
            self.at(node, path, predicate)

    def concept(self, node: URIRef, predicate: URIRef, table: str, path: Path) -> URIRef | None:
        if not self.has(path):
            return None
        raw = self._value(path)
        term = vocabulary.TABLES[table].get(str(raw).strip().lower()) if isinstance(raw, str) else None
        if term is None:
            known = ", ".join(vocabulary.TABLES[table])
            self.problem(path, f"{raw!r} is not a {table} this format knows; write one of: {known}")
            return None
        self.add(node, predicate, term)
        self.at(node, path, predicate)
        return term

    def figure(self, node: URIRef, predicate: URIRef, literal: Literal, path: Path) -> None:
        self.add(node, predicate, literal)
        self.at(node, path, predicate)
        self.result.figures.append(
            Figure(str(node), str(predicate), str(literal), self.keys_of(node), self.where(path))
        )

    def whole(self, node: URIRef, predicate: URIRef, path: Path, what: str) -> None:
        if self.has(path):
            number = self.read(path, lambda raw: values.whole(raw, what))
            if number is not None:
                self.figure(node, predicate, Literal(str(number), datatype=XSD.integer), path)

    def date(self, node: URIRef, predicate: URIRef, path: Path, what: str) -> None:
        if self.has(path):
            parsed = self.read(path, lambda raw: values.date(raw, what))
            if parsed is not None:
                self.figure(node, predicate, Literal(parsed[0], datatype=URIRef(parsed[1])), path)

    def duration(self, node: URIRef, predicate: URIRef, path: Path, what: str) -> None:
        if self.has(path):
            parsed = self.read(path, lambda raw: values.duration(raw, what))
            if parsed is not None:
                self.figure(node, predicate, Literal(parsed, datatype=XSD.duration), path)

    def keys_of(self, node: URIRef) -> tuple[str, ...]:
        keys = []
        for source in self.graph.objects(node, PROV.wasDerivedFrom):
            keys += [k for k, iri in self.sources.items() if iri == source]
        return tuple(sorted(keys))

    def provenance(self, node: URIRef, path: Path) -> None:
        """The sources ``node`` rests on: ``prov:wasDerivedFrom`` and a statement for each."""
        if not self.has((*path, "sources")):
            self.problem(path, "names no sources: every part of a trial says which sources it "
                         "rests on (`sources:` with a key and a statement for each)")
            return
        statements = self._value((*path, "sources"))
        for key, statement in statements.items():
            source = self.sources.get(key)
            if source is None:
                known = ", ".join(self.sources) or "none"
                self.problem((*path, "sources", key), f"source key {key!r} is not among the "
                             f"record's references ({known})")
                continue
            derivation = BNode()
            self.add(node, PROV.wasDerivedFrom, source)
            self.add(node, PROV.qualifiedDerivation, derivation)
            self.add(derivation, RDF.type, PROV.Derivation)
            self.add(derivation, PROV.entity, source)
            self.add(derivation, EKG.statement, Literal(str(statement).strip()))

    def part(
        self, node: URIRef, kinds: Sequence[URIRef], path: Path, label: str | None = None
    ) -> None:
        """A reported part of the trial: its types, label and provenance."""
        for kind in kinds:
            self.add(node, RDF.type, kind)
        self.at(node, path)
        if label is not None:
            self.add(node, RDFS.label, Literal(label))
        else:
            self.text(node, RDFS.label, (*path, "label"))
        self.provenance(node, path)

    def local(self, section: str, path: Path, prefix: str) -> URIRef | None:
        """The node a reference to another part of the trial (``arm: dasatinib``) names."""
        if not self.has(path):
            return None
        ident = self._value(path)
        ids = {str(item.get("id")) for item in self.data.get(section) or [] if isinstance(item, dict)}
        if str(ident) not in ids:
            known = ", ".join(sorted(ids)) or "none"
            self.problem(path, f"{ident!r} is not the id of one of the record's {section} "
                         f"({known})")
            return None
        return self.node(f"{prefix}-{ident}")

    def referenced(self, kind: str, path: Path) -> URIRef | None:
        if not self.has(path):
            return None
        text = str(self._value(path)).strip()
        node, problem = self.reference.resolve(kind, text)
        if problem is not None:
            self.problem(path, problem)
        return URIRef(node)

    def items(self, section: str) -> list[tuple[int, Json]]:
        found = self.data.get(section) or []
        return [(i, item) for i, item in enumerate(found) if isinstance(item, dict)]

    def parts_of(
        self, section: str, prefix: str, kind: URIRef
    ) -> Iterator[tuple[Json, Path, URIRef]]:
        """Each entry of ``section`` made a reported part of the trial (:meth:`part`): node
        ``{prefix}-{id}`` typed ``kind``; with the entry and its path."""
        for index, entry in self.items(section):
            path: Path = (section, index)
            node = self.node(f"{prefix}-{entry.get('id')}")
            self.part(node, (kind,), path)
            yield entry, path, node

    # --- the record ------------------------------------------------------------------------------

    def map(self) -> RecordGraph:
        self.references()
        self.trial_node()
        self.registrations()
        self.population()
        self.arms()
        self.endpoints()
        self.reports()
        self.results()
        self.comparisons()
        self.crossovers()
        self.findings()
        for drug in self.drugs:
            self.add(self.node(), SCHEMA.studySubject, drug)
        return self.result

    def references(self) -> None:
        references = self.data.get("references") or {}
        for key in references:
            ident = str(references[key].get("id", key))
            kind = references[key].get("kind")
            segment = "publication" if kind == "publication" else "source"
            self.sources[str(key)] = URIRef(f"{self.base}{segment}/{ident}")
        for key, entry in references.items():
            path: Path = ("references", key)
            node = self.sources[str(key)]
            kinds = vocabulary.SOURCE_KIND.get(str(entry.get("kind")))
            if kinds is None:
                self.problem((*path, "kind"), f"{entry.get('kind')!r} is not a kind of source: "
                             f"write one of {', '.join(vocabulary.SOURCE_KIND)}")
                continue
            for kind in kinds:
                self.add(node, RDF.type, kind)
            self.at(node, path)
            self.text(node, RDFS.label, (*path, "label"))
            self.add(node, EKG.sourceKey, Literal(str(key)))
            self.text(node, SCHEMA.name, (*path, "title"))
            if self.has((*path, "doi")):
                doi = str(entry["doi"]).strip().removeprefix("https://doi.org/").removeprefix("doi:")
                self.add(node, EKG.doi, Literal(doi))
                self.add(node, SCHEMA.identifier, Literal(doi))
                self.add(node, SCHEMA.sameAs, URIRef(f"https://doi.org/{doi}"))
                self.at(node, (*path, "doi"), EKG.doi)
            if self.has((*path, "pmid")):
                pmid = str(entry["pmid"]).strip()
                self.add(node, EKG.pmid, Literal(pmid))
                self.add(node, SCHEMA.identifier, Literal(f"PMID:{pmid}"))
            if self.has((*path, "url")):
                self.add(node, SCHEMA.url, URIRef(str(entry["url"]).strip()))
            self.date(node, SCHEMA.datePublished, (*path, "published"), "published")
            journal = self.referenced("journal", (*path, "journal"))
            if journal is not None:
                self.add(node, SCHEMA.isPartOf, journal)
                self.at(node, (*path, "journal"), SCHEMA.isPartOf)
            if self.has((*path, "about")):
                about = self.sources.get(str(entry["about"]))
                if about is None:
                    self.problem((*path, "about"), f"{entry['about']!r} is not a source key")
                else:
                    self.add(node, SCHEMA.about, about)
            authors = [str(a).strip() for a in entry.get("authors") or []]
            if authors:
                people: list[Node] = []
                for author in authors:
                    person = URIRef(f"{self.base}person/{slug(author)}")
                    people.append(person)
                    self.add(person, RDF.type, SCHEMA.Person)
                    self.add(person, RDFS.label, Literal(author))
                    self.add(person, SCHEMA.name, Literal(author))
                    self.add(node, SCHEMA.author, person)
                head = BNode()
                Collection(self.graph, head, people)
                self.add(node, EKG.authorList, head)

    def trial_node(self) -> None:
        node = self.node()
        acronym = str(self.data.get("acronym", self.trial_id))
        self.part(node, (EKG.Trial, SCHEMA.MedicalTrial), (), label=acronym)
        if self.has(("acronym",)):
            self.add(node, SCHEMA.alternateName, Literal(acronym))
        self.text(node, SCHEMA.name, ("name",))
        self.text(node, SKOS.note, ("note",))
        for index, identifier in enumerate(self.data.get("identifiers") or []):
            self.add(node, SCHEMA.identifier, Literal(str(identifier).strip()))
            self.at(node, ("identifiers", index), SCHEMA.identifier)
        for index, _ in enumerate(self.data.get("design") or []):
            self.concept(node, SCHEMA.trialDesign, "design", ("design", index))
        for key, predicate in (("phase", EKG.phase), ("allocation", EKG.allocation),
                               ("masking", EKG.masking), ("model", EKG.interventionModel),
                               ("purpose", EKG.primaryPurpose)):
            self.concept(node, predicate, key, (key,))
        self.text(node, EKG.allocationRatio, ("allocation ratio",))
        self.whole(node, EKG.enrollment, ("enrollment",), "enrollment")
        self.whole(node, EKG.randomized, ("randomized",), "randomized")
        self.date(node, EKG.startDate, ("start",), "start")
        self.date(node, EKG.primaryCompletionDate, ("primary completion",), "primary completion")
        self.date(node, EKG.resultsFirstPosted, ("results first posted",), "results first posted")
        self.text(node, EKG.crossoverRule, ("crossover rule",))
        condition = self.referenced("condition", ("condition",))
        if condition is not None:
            self.condition = condition
            self.add(node, SCHEMA.healthCondition, condition)
            self.add(node, SCHEMA.studySubject, condition)
            self.at(node, ("condition",), SCHEMA.healthCondition)
        for key, entry in (self.data.get("references") or {}).items():
            if entry.get("kind") != "registry record":
                self.add(node, SCHEMA.subjectOf, self.sources[str(key)])

    def registrations(self) -> None:
        for index, entry in self.items("registrations"):
            path: Path = ("registrations", index)
            registry, ident = str(entry.get("registry", "")), str(entry.get("id", ""))
            node = self.node(registration_segment(registry, ident))
            self.part(node, (EKG.Registration,), path, label=f"{registry} {ident}")
            self.add(self.node(), EKG.registration, node)
            self.add(node, EKG.registry, Literal(registry))
            self.add(node, EKG.registryId, Literal(ident))
            self.concept(node, EKG.registeredPhase, "phase", (*path, "phase"))

    def population(self) -> None:
        if not isinstance(self.data.get("population"), dict):
            return
        path: Path = ("population",)
        node = self.node("population")
        self.part(node, (EKG.Population,), path)
        self.add(self.node(), EKG.population, node)
        condition = self.referenced("condition", (*path, "condition")) or self.condition
        if condition is not None:
            self.add(node, SCHEMA.healthCondition, condition)
        for index, _ in enumerate(self.data["population"].get("inclusion") or []):
            self.text(node, EKG.inclusionCriterion, (*path, "inclusion", index))

    def arms(self) -> None:
        for entry, path, node in self.parts_of("arms", "arm", EKG.Arm):
            arm_id = str(entry.get("id"))
            self.add(self.node(), EKG.arm, node)
            self.concept(node, EKG.armRole, "role", (*path, "role"))
            self.whole(node, EKG.participants, (*path, "participants"), "participants")
            self.whole(node, EKG.allocationWeight, (*path, "allocation weight"),
                       "allocation weight")
            if isinstance(entry.get("intervention"), dict):
                self.intervention(node, arm_id, (*path, "intervention"))

    def intervention(self, arm: URIRef, arm_id: str, path: Path) -> None:
        node = self.node(f"intervention-{arm_id}")
        self.part(node, (EKG.Intervention,), path)
        self.add(arm, EKG.intervention, node)
        drug = self.referenced("drug", (*path, "drug"))
        if drug is not None:
            self.add(node, EKG.drug, drug)
            self.at(node, (*path, "drug"), EKG.drug)
            self.drugs.add(drug)
        if self.has((*path, "dose")):
            parsed = self.read((*path, "dose"), values.dose)
            if parsed is not None:
                comparator, value, unit = parsed
                self.figure(node, EKG.doseValue, Literal(value, datatype=XSD.decimal),
                            (*path, "dose"))
                self.add(node, EKG.doseUnit, Literal(unit))
                if comparator:
                    self.add(node, EKG.doseComparator, Literal(comparator))
        self.text(node, SCHEMA.dosageForm, (*path, "form"))
        self.concept(node, EKG.route, "route", (*path, "route"))
        self.text(node, EKG.frequency, (*path, "frequency"))
        if self.has((*path, "dose escalation")):
            allowed = self._value((*path, "dose escalation"))
            flag = {"allowed": True, "not allowed": False, True: True, False: False}.get(allowed)
            if flag is None:
                self.problem((*path, "dose escalation"), "write `allowed` or `not allowed`")
            else:
                self.add(node, EKG.doseEscalationAllowed, Literal(flag))
        self.duration(node, EKG.maximumDuration, (*path, "maximum duration"), "maximum duration")

    def endpoints(self) -> None:
        for _, path, node in self.parts_of("endpoints", "endpoint", EKG.Endpoint):
            self.add(self.node(), EKG.endpoint, node)
            self.text(node, SCHEMA.alternateName, (*path, "short name"))
            self.concept(node, EKG.benefitDirection, "better", (*path, "better"))
            self.concept(node, EKG.endpointKind, "rank", (*path, "rank"))
            self.text(node, SKOS.definition, (*path, "definition"))
            self.text(node, EKG.timeFrame, (*path, "time frame"))
            self.concept(node, EKG.measureType, "kind", (*path, "kind"))

    def reports(self) -> None:
        for entry, path, node in self.parts_of("reports", "report", EKG.Report):
            self.add(self.node(), EKG.report, node)
            self.concept(node, EKG.reportKind, "report kind", (*path, "kind"))
            self.text(node, EKG.followUp, (*path, "follow-up"))
            self.duration(node, EKG.minimumFollowUp, (*path, "minimum follow-up"),
                          "minimum follow-up")
            if self.has((*path, "publication")):
                key = str(entry["publication"])
                source = self.sources.get(key)
                if source is None or entry.get("publication") not in (self.data.get("references") or {}):
                    self.problem((*path, "publication"), f"{key!r} is not a source key")
                else:
                    self.add(node, EKG.publication, source)
            for f in range(len(entry.get("findings") or [])):
                target = self.local("findings", (*path, "findings", f), "finding")
                if target is not None:
                    self.add(node, EKG.finding, target)

    def share(self, node: URIRef, path: Path, kind: str | None) -> None:
        """A figure's value: a percentage for shares (with its precision), else a number."""
        if not self.has(path):
            return
        raw = self._value(path)
        if kind in vocabulary.SHARES or kind is None or (
            isinstance(raw, str) and raw.strip().endswith("%")
        ):
            parsed = self.read(path, lambda value: values.percentage(value, str(path[-1])))
            if parsed is None:
                return
            percent, warnings = parsed
            for warning in warnings:
                self.problem(path, warning, "Warning")
            self.figure(node, EKG.percentage, Literal(percent.lexical, datatype=XSD.decimal), path)
            self.add(node, EKG.unit, QUDT_UNIT.PERCENT)
            self.figure(node, EKG.decimalPlaces,
                        Literal(str(percent.places), datatype=XSD.integer), path)
        else:
            try:
                number = values.decimal_lexical(values._number(str(raw), str(path[-1])))
            except values.ValueProblem as problem:
                self.problem(path, str(problem))
                return
            self.figure(node, RDF.value, Literal(number, datatype=XSD.decimal), path)

    def results(self) -> None:
        for _, path, node in self.parts_of("results", "result", EKG.ArmResult):
            for key, section, prefix, predicate in (("arm", "arms", "arm", EKG.arm),
                                                    ("endpoint", "endpoints", "endpoint", EKG.endpoint),
                                                    ("report", "reports", "report", EKG.report)):
                target = self.local(section, (*path, key), prefix)
                if target is not None:
                    self.add(node, predicate, target)
            self.text(node, EKG.measure, (*path, "measure"))
            kind = self.concept(node, EKG.measureType, "kind", (*path, "kind"))
            kind_word = vocabulary.word(vocabulary.MEASURE, kind) if kind is not None else None
            self.text(node, EKG.timePoint, (*path, "time point"))
            if self.has((*path, "when")):
                moment = self.read((*path, "when"), values.when)
                if moment is not None:
                    self.add(node, EKG.timePointRelation, vocabulary.RELATION[moment.relation])
                    if moment.value is not None and moment.unit is not None:
                        self.figure(node, EKG.timePointValue,
                                    Literal(moment.value, datatype=XSD.decimal), (*path, "when"))
                        self.add(node, EKG.timePointUnit, URIRef(moment.unit))
            self.concept(node, EKG.analysisPopulation, "population", (*path, "population"))
            self.denominator(node, (*path, "denominator"))
            self.whole(node, EKG.count, (*path, "count"), "count")
            self.share(node, (*path, "value"), kind_word)

    def denominator(self, node: URIRef, path: Path) -> None:
        if not self.has(path):
            return
        raw = str(self._value(path)).strip()
        word, _, number = raw.partition(" ")
        if word not in vocabulary.DENOMINATOR or (number and word != "evaluable"):
            self.problem(path, f"{raw!r}: write `arm`, `unknown`, or `evaluable N` (the number "
                         "of patients the figure is out of)")
            return
        self.add(node, EKG.denominatorKind, vocabulary.DENOMINATOR[word])
        self.at(node, path, EKG.denominatorKind)
        if word == "evaluable":
            if not number:
                self.problem(path, "`evaluable` needs the number of evaluable patients: "
                             "`evaluable 240`")
                return
            try:
                count = values.whole(number, "denominator")
            except values.ValueProblem as problem:
                self.problem(path, str(problem))
                return
            self.figure(node, EKG.denominator, Literal(str(count), datatype=XSD.integer), path)

    def comparisons(self) -> None:
        for entry, path, node in self.parts_of("comparisons", "comparison", EKG.Comparison):
            for key, section, prefix, predicate in (
                ("endpoint", "endpoints", "endpoint", EKG.endpoint),
                ("report", "reports", "report", EKG.report),
                ("intervention", "arms", "arm", EKG.intervention),
                ("comparator", "arms", "arm", EKG.comparator),
            ):
                target = self.local(section, (*path, key), prefix)
                if target is not None:
                    self.add(node, predicate, target)
            results = entry.get("results")
            if results is not None:
                if not isinstance(results, list) or len(results) != 2:
                    self.problem((*path, "results"), "give the intervention arm's result and "
                                 "the comparator arm's, in that order: [result, result]")
                else:
                    for r, predicate in ((0, EKG.interventionResult), (1, EKG.comparatorResult)):
                        target = self.local("results", (*path, "results", r), "result")
                        if target is not None:
                            self.add(node, predicate, target)
            self.concept(node, EKG.analysisPopulation, "population", (*path, "population"))
            self.text(node, EKG.analysisMethod, (*path, "method"))
            if self.has((*path, "p")):
                parsed = self.read((*path, "p"), values.p_value)
                if parsed is not None:
                    comparator, lexical = parsed
                    self.figure(node, EKG.pValue, Literal(lexical, datatype=XSD.decimal),
                                (*path, "p"))
                    if comparator:
                        self.add(node, EKG.pValueComparator, Literal(comparator))
            if self.has((*path, "significant")):
                verdict = self._value((*path, "significant"))
                if not isinstance(verdict, bool):
                    self.problem((*path, "significant"), "write yes or no: does the source call "
                                 "the difference significant?")
                else:
                    self.add(node, EKG.significant, Literal(verdict))
            for e, estimate in enumerate(entry.get("estimates") or []):
                self.estimate(node, (*path, "estimates", e), estimate)

    def estimate(self, comparison: URIRef, path: Path, entry: Json) -> None:
        """An estimate the source reports (a hazard ratio with its interval, say)."""
        node = URIRef(f"{comparison}/estimate-{entry.get('id')}")
        self.part(node, (EKG.EffectEstimate,), path)
        self.add(comparison, EKG.estimate, node)
        self.concept(node, EKG.statistic, "statistic", (*path, "statistic"))
        for key, predicate in (("value", RDF.value), ("lower", EKG.ciLower),
                               ("upper", EKG.ciUpper)):
            if self.has((*path, key)):
                try:
                    lexical = values.decimal_lexical(
                        values._number(str(self._value((*path, key))), key)
                    )
                except values.ValueProblem as problem:
                    self.problem((*path, key), str(problem))
                    continue
                self.figure(node, predicate, Literal(lexical, datatype=XSD.decimal), (*path, key))
        if self.has((*path, "level")):
            parsed = self.read((*path, "level"), lambda raw: values.percentage(raw, "level"))
            if parsed is not None:
                level = values.decimal_lexical(parsed[0].value / 100)
                self.figure(node, EKG.ciLevel, Literal(level, datatype=XSD.decimal),
                            (*path, "level"))

    def crossovers(self) -> None:
        for _, path, node in self.parts_of("crossovers", "crossover", EKG.CrossoverResult):
            for key, predicate in (("from", EKG.arm), ("to", EKG.crossoverTo)):
                target = self.local("arms", (*path, key), "arm")
                if target is not None:
                    self.add(node, predicate, target)
            report = self.local("reports", (*path, "report"), "report")
            if report is not None:
                self.add(node, EKG.report, report)
            self.whole(node, EKG.count, (*path, "count"), "count")
            self.share(node, (*path, "value"), "proportion")
            if self.has((*path, "median time")):
                months = self.read((*path, "median time"),
                                   lambda raw: values.months(raw, "median time"))
                if months is not None:
                    self.figure(node, EKG.medianTimeToCrossoverMonths,
                                Literal(months, datatype=XSD.decimal), (*path, "median time"))

    def findings(self) -> None:
        for entry, path, node in self.parts_of("findings", "finding", EKG.Finding):
            self.concept(node, EKG.findingKind, "finding kind", (*path, "kind"))
            self.text(node, EKG.statement, (*path, "statement"))
            about = str(entry.get("about", "")).strip()
            if about == "trial":
                self.add(node, EKG.about, self.node())
            elif about:
                section, _, ident = about.partition(" ")
                sections = {"endpoint": "endpoints", "arm": "arms", "report": "reports",
                            "result": "results", "comparison": "comparisons"}
                if section not in sections:
                    self.problem((*path, "about"), "write `trial`, or a part and its id: "
                                 "`endpoint safety`, `arm dasatinib`")
                    continue
                ids = {str(i.get("id")) for _, i in self.items(sections[section])}
                if ident not in ids:
                    self.problem((*path, "about"), f"{ident!r} is not the id of one of the "
                                 f"record's {sections[section]}")
                    continue
                self.add(node, EKG.about, self.node(f"{section}-{ident}"))


def map_record(record: RecordText, base_iri: str, reference: ReferenceIndex) -> RecordGraph:
    """One record, already checked against the JSON Schema, as the trial's graph."""
    return _Mapper(record, base_iri, reference).map()

