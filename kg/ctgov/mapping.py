"""One ClinicalTrials.gov study record as one study's graph in our model.

The record's own words become facts of the study's graph, each citing the record (one version
of it: its NCT id and the date its last update was posted) and saying where in the record it
stands (a JSON pointer, ``ekg:recordPointer``, also the statement of its qualified derivation).
Numbers are typed and kept as written where typing would lose something (:mod:`kg.ctgov.values`).
What the record does not say is not invented: no arm sizes, no percentages made from counts.

What is derived, and only where its assumptions hold: for an outcome that counts participants
with an event in two groups whose roles say which is the comparator (or for a posted analysis of
such an outcome), the risk difference, relative risk and odds ratio with their intervals, and a
verdict on a reported p-value, written by :mod:`kg.derive` exactly as for curated trials and by
the same rule (:func:`kg.derive.two_by_two`). Never from a "number" (which may be a percentage of
a time-to-event analysis), a count of units, a mean or a median.

The registry's results groups (OG000, ...) are linked to the protocol's arm groups by title
(exactly, or without a trailing population note such as "(FAS)"), or by identical description,
when exactly one arm fits; a group no arm fits becomes an arm of its own (role "other", with its
group ids), and the import summary says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from kg.ctgov import values, vocabulary
from kg.ctgov.reconcile import Index, Match, normalized, slug
from kg.derive import (
    METHODS,
    ArmCounts,
    ArmFigure,
    two_by_two,
    write_agent,
    write_estimates,
    write_method,
    write_significance,
)
from kg.ntriples import LineWriter
from kg.vocab import EKG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.write import StudyGraph

Json = dict[str, Any]

REGISTRY = "ClinicalTrials.gov"
RECORD_URL = "https://clinicaltrials.gov/study/"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/"
MESH_URL = "http://id.nlm.nih.gov/mesh/"

_NCT = re.compile(r"^NCT\d{8}$")
_EUDRACT = re.compile(r"^\d{4}-\d{6}-\d{2}$")
_PMID = re.compile(r"^[1-9]\d{0,8}$")
_PLACEBO = re.compile(r"\b(placebo|sham)\b", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
_TYPE_PREFIX = re.compile(r"^\s*[A-Za-z][A-Za-z ]*:\s*")


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a place in a record.

    >>> pointer("resultsSection", "outcomeMeasuresModule", "outcomeMeasures", 3, "pValue")
    '/resultsSection/outcomeMeasuresModule/outcomeMeasures/3/pValue'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _get(node: object, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _list(node: object, *keys: str) -> list[Any]:
    found = _get(node, *keys)
    return found if isinstance(found, list) else []


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


_NUMBERING = re.compile(r"^\s*(arm\s+)?[0-9]+[.):]?\s+", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def matching_arms(title: str, description: str | None, arms: Sequence[tuple[str, Json]]) -> list[str]:
    """The protocol arms a results group may be, by the first rule that finds any: the same
    title; the same title without a trailing note such as "(FAS)" or a leading number ("1
    Placebo"); the same first sentence of the description. The caller links only a single fit.

    >>> arms = [("a1", {"label": "1 Placebo", "description": "Sugar pill."}),
    ...         ("a2", {"label": "Certolizumab Pegol 200 mg Q2W", "description": "CZP 400 mg. Then 200 mg."})]
    >>> matching_arms("Placebo (FAS)", None, arms)
    ['a1']
    >>> matching_arms("CZP 200 mg Q2W (SS)", "CZP 400 mg. Subjects formed the SS.", arms)
    ['a2']
    >>> matching_arms("Placebo->OL CZP (SS)", "Subset of subjects from the Placebo group.", arms)
    []
    """
    def bare(text: str) -> str:
        return normalized(_NUMBERING.sub("", _TRAILING_NOTE.sub("", text)))

    def first_sentence(text: str) -> str:
        return normalized(_SENTENCE.split(text.strip(), maxsplit=1)[0])

    rules: list[Callable[[Json], bool]] = [
        lambda arm: normalized(str(arm.get("label", ""))) == normalized(title),
        lambda arm: bool(bare(title)) and bare(str(arm.get("label", ""))) == bare(title),
    ]
    if description:
        rules.append(
            lambda arm: bool(_text(arm.get("description")))
            and first_sentence(str(arm["description"])) == first_sentence(description)
        )
    for rule in rules:
        found = [node for node, arm in arms if rule(arm)]
        if found:
            return found
    return []


@dataclass
class MappingContext:
    """What the mapping of one import run shares: the base IRI and the reference indexes."""

    base_iri: str
    drugs: Index
    conditions: Index
    stato: Mapping[URIRef, URIRef] = field(default_factory=dict)
    """Statistic type -> the STATO class its estimates are typed with (from the ontology's
    ``skos:exactMatch``)."""
    curated_trials: Mapping[str, str] = field(default_factory=dict)
    """NCT id -> a study node that is not this import's (a curated trial of the same id)."""

    def trial_iri(self, nct_id: str) -> str:
        return f"{self.base_iri}trial/{nct_id.lower()}"

    def graph_iri(self, nct_id: str) -> str:
        return f"{self.base_iri}graph/trial/{nct_id.lower()}"


@dataclass(frozen=True)
class _Group:
    """A results group of one outcome (or of the adverse-event tables) and its arm."""

    group_id: str
    title: str
    arm: str


class _Mapper:
    """Writes one record's triples; :func:`map_record` is the entry point."""

    def __init__(self, study: Json, origin: str, context: MappingContext) -> None:
        self.record = study
        self.origin = origin
        self.context = context
        self.base = context.base_iri
        ident = _get(study, "protocolSection", "identificationModule") or {}
        self.nct = str(ident["nctId"]).strip()
        self.trial = context.trial_iri(self.nct)
        self.own = LineWriter()
        self.shared = LineWriter()
        self.shared_nodes: set[str] = set()
        self.pointers: dict[str, str] = {}
        self.notes: list[str] = []
        version = _text(_get(study, "protocolSection", "statusModule", "lastUpdatePostDateStruct", "date"))
        version = version or _text(_get(study, "protocolSection", "statusModule", "lastUpdateSubmitDate"))
        self.version = version or "undated"
        if version is None:
            self.notes.append("the record gives no last-update date: its version is 'undated'")
        self.source = f"{self.base}source/ctgov/{self.nct}/{self.version}"
        self.arms: list[tuple[str, Json]] = []
        self.arm_roles: dict[str, URIRef] = {}
        self.group_arms: dict[str, str] = {}
        self.group_ids: dict[str, set[str]] = defaultdict(set)
        self.unmatched: dict[str, list[str]] = defaultdict(list)
        self.drugs_given: set[str] = set()
        self.arm_labels: dict[str, str] = {}
        self.label = self.nct
        self.report = f"{self.trial}/report-registry-results"
        self.result_titles: set[tuple[str, str]] = set()

    # --- writing helpers ------------------------------------------------------------------------

    def at(self, node: str, where: str, predicate: object | None = None) -> None:
        """Remember where ``node`` (or its ``predicate``) comes from in the record."""
        key = f"<{node}>" if predicate is None else f"<{node}> {predicate}"
        self.pointers.setdefault(key, where)

    def fact(self, node: str, kinds: Sequence[URIRef], label: str, where: str) -> None:
        """A reported fact: its types, label, and its citation of the record at ``where``.

        The JSON pointer (``ekg:recordPointer``) is what the fact rests on in the record; a
        qualified derivation saying the same in words would be four more triples a fact, a
        quarter of an import's writes.
        """
        for kind in kinds:
            self.own.link(node, RDF.type, kind)
        self.own.text(node, RDFS.label, label)
        self.at(node, where)
        self.own.link(node, PROV.wasDerivedFrom, self.source)
        self.own.text(node, EKG.recordPointer, where)

    def text(self, node: str, predicate: URIRef, raw: object, where: str) -> str | None:
        value = _text(raw)
        if value is not None:
            self.own.text(node, predicate, value)
            self.at(node, where, predicate)
        return value

    def concept(
        self, node: str, predicate: URIRef, table: Mapping[str, URIRef], raw: object, where: str
    ) -> URIRef | None:
        key = vocabulary.code(raw)
        if key is None:
            return None
        concept = table.get(key)
        if concept is None:
            self.notes.append(f"{where}: unknown value {raw!r}, not mapped")
            return None
        self.own.link(node, predicate, concept)
        self.at(node, where, predicate)
        return concept

    def number(
        self,
        node: str,
        predicate: URIRef,
        raw: object,
        where: str,
        text_predicate: URIRef = EKG.reportedText,
    ) -> values.Number | None:
        parsed = values.number(raw)
        if parsed is None:
            return None
        if parsed.lexical is not None:
            self.own.typed(node, predicate, parsed.lexical, XSD.decimal)
            self.at(node, where, predicate)
        if parsed.text is not None:
            self.own.text(node, text_predicate, parsed.text)
            self.at(node, where, text_predicate)
        return parsed

    def date(self, node: str, predicate: URIRef, raw: object, where: str) -> None:
        parsed = values.date(raw)
        if parsed is None:
            if raw is not None:
                self.notes.append(f"{where}: {raw!r} is not a date, left out")
            return
        if parsed.datatype.endswith("gYear"):
            self.notes.append(f"{where}: {raw!r} gives only a year, left out")
            return
        self.own.typed(node, predicate, parsed.lexical, parsed.datatype)
        self.at(node, where, predicate)

    def shared_node(self, node: str, lines: Sequence[str]) -> None:
        if node not in self.shared_nodes:
            self.shared_nodes.add(node)
            self.shared.lines.extend(lines)

    # --- the record -----------------------------------------------------------------------------

    def map(self) -> StudyGraph:
        protocol = self.record.get("protocolSection") or {}
        self.study(protocol)
        self.registrations(protocol)
        self.design(protocol)
        self.status(protocol)
        conditions = self.conditions(protocol)
        self.population(protocol, conditions)
        self.sponsor(protocol)
        self.interventions_and_arms(protocol)
        self.references(protocol)
        results = self.record.get("resultsSection")
        if isinstance(results, dict) and results:
            self.results(results)
        else:
            self.notes.append("no results section: results absent (registered, not reported)")
        self.protocol_outcomes(protocol)
        for drug in sorted(self.drugs_given):
            self.own.link(self.trial, SCHEMA.studySubject, drug)
        for title, ids in self.unmatched.items():
            self.notes.append(
                f"results group {title!r} ({', '.join(sorted(set(ids)))}) matches no protocol "
                "arm unambiguously: kept as a group of its own"
            )
        self.source_node()
        return StudyGraph(
            study=self.trial,
            graph=self.context.graph_iri(self.nct),
            lines=tuple(dict.fromkeys(self.own.lines)),
            shared=tuple(dict.fromkeys(self.shared.lines)),
            pointers=self.pointers,
            origin=self.origin,
            notes=tuple(self.notes),
        )

    def source_node(self) -> None:
        source = self.source
        lines = LineWriter()
        lines.link(source, RDF.type, EKG.Source)
        lines.link(source, RDF.type, SCHEMA.CreativeWork)
        lines.text(source, RDFS.label, f"{REGISTRY} record {self.nct}, version of {self.version}")
        lines.text(source, EKG.sourceKey, self.nct)
        lines.text(source, EKG.recordVersion, self.version)
        lines.link(source, SCHEMA.url, f"{RECORD_URL}{self.nct}")
        lines.text(source, SCHEMA.publisher, f"{REGISTRY}, U.S. National Library of Medicine")
        lines.text(
            source,
            SKOS.note,
            "A US Government work in the public domain; the registry asks that the National "
            "Library of Medicine be credited as its source.",
        )
        self.own.lines.extend(lines.lines)

    def study(self, protocol: Json) -> None:
        where = pointer("protocolSection", "identificationModule")
        ident = protocol.get("identificationModule") or {}
        study_type = vocabulary.code(_get(protocol, "designModule", "studyType"))
        if study_type == "INTERVENTIONAL":
            kinds = [EKG.Trial, SCHEMA.MedicalTrial]
        elif study_type == "OBSERVATIONAL":
            kinds = [EKG.Study, SCHEMA.MedicalObservationalStudy]
            self.notes.append("an observational study, not a trial: no arms are assigned")
        else:
            kinds = [EKG.Study, SCHEMA.MedicalStudy]
            self.notes.append(f"study type {study_type or 'not given'}: imported as a study")
        acronym = _text(ident.get("acronym"))
        self.label = acronym or self.nct
        self.fact(self.trial, kinds, self.label, where)
        title = _text(ident.get("briefTitle")) or _text(ident.get("officialTitle")) or self.nct
        self.own.text(self.trial, SCHEMA.name, title)
        self.at(self.trial, pointer("protocolSection", "identificationModule", "briefTitle"), SCHEMA.name)
        self.text(self.trial, EKG.officialTitle, ident.get("officialTitle"), f"{where}/officialTitle")
        if acronym:
            self.own.text(self.trial, SCHEMA.alternateName, acronym)
            self.at(self.trial, f"{where}/acronym", SCHEMA.alternateName)
        else:
            self.own.typed(self.trial, EKG.acronymAbsent, "true", XSD.boolean)
        self.own.text(self.trial, SCHEMA.identifier, self.nct)
        org_id = _text(_get(ident, "orgStudyIdInfo", "id"))
        if org_id:
            self.own.text(self.trial, SCHEMA.identifier, org_id)
        self.text(self.trial, SCHEMA.description, _get(protocol, "descriptionModule", "briefSummary"),
                  pointer("protocolSection", "descriptionModule", "briefSummary"))
        alternate = self.context.curated_trials.get(self.nct)
        if alternate is not None and alternate != self.trial:
            self.own.link(self.trial, PROV.alternateOf, alternate)
            self.notes.append(f"{self.nct} is also curated as <{alternate}>: imported beside it "
                              "(prov:alternateOf)")

    def registrations(self, protocol: Json) -> None:
        where = pointer("protocolSection", "identificationModule")
        node = f"{self.trial}/registration-{self.nct.lower()}"
        self.fact(node, [EKG.Registration], f"{REGISTRY} {self.nct}", f"{where}/nctId")
        self.own.link(self.trial, EKG.registration, node)
        self.own.text(node, EKG.registry, REGISTRY)
        self.own.text(node, EKG.registryId, self.nct)
        self.registration = node
        for index, info in enumerate(_list(protocol, "identificationModule", "secondaryIdInfos")):
            secondary = _text(_get(info, "id"))
            if secondary is None:
                continue
            self.own.text(self.trial, SCHEMA.identifier, secondary)
            kind = vocabulary.code(_get(info, "type"))
            registry = _text(_get(info, "domain"))
            if kind == "EUDRACT_NUMBER":
                if not _EUDRACT.match(secondary):
                    self.notes.append(
                        f"{where}/secondaryIdInfos/{index}: {secondary!r} is not a valid EudraCT "
                        "number; kept as an identifier only"
                    )
                    continue
                registry = "EudraCT"
            elif registry is None:
                registry = {"NIH": "NIH grant", "FDA": "FDA", "REGISTRY": "Other registry",
                            "OTHER_GRANT": "Other grant"}.get(kind or "", "Other identifier")
            sec = f"{self.trial}/registration-{index + 1}"
            self.fact(sec, [EKG.Registration], f"{registry} {secondary}",
                      f"{where}/secondaryIdInfos/{index}")
            self.own.link(self.trial, EKG.registration, sec)
            self.own.text(sec, EKG.registry, registry)
            self.own.text(sec, EKG.registryId, secondary)

    def design(self, protocol: Json) -> None:
        where = pointer("protocolSection", "designModule")
        design = protocol.get("designModule") or {}
        phases = tuple(sorted(p for p in (vocabulary.code(x) for x in _list(design, "phases")) if p))
        if phases:
            phase = vocabulary.PHASE.get(phases)
            if phase is None:
                self.notes.append(f"{where}/phases: {list(phases)} not mapped")
            else:
                for node in (self.trial, self.registration):
                    predicate = EKG.phase if node == self.trial else EKG.registeredPhase
                    self.own.link(node, predicate, phase)
                    self.at(node, f"{where}/phases", predicate)
        info = design.get("designInfo") or {}
        allocation = self.concept(self.trial, EKG.allocation, vocabulary.ALLOCATION,
                                  info.get("allocation"), f"{where}/designInfo/allocation")
        if allocation == EKG.Randomized:
            self.own.link(self.trial, SCHEMA.trialDesign, SCHEMA.RandomizedTrial)
        elif vocabulary.code(design.get("studyType")) == "INTERVENTIONAL":
            self.notes.append("not a randomized trial (allocation: "
                              f"{info.get('allocation') or 'not given'})")
        self.concept(self.trial, EKG.interventionModel, vocabulary.INTERVENTION_MODEL,
                     info.get("interventionModel"), f"{where}/designInfo/interventionModel")
        masking = self.concept(self.trial, EKG.masking, vocabulary.MASKING,
                               _get(info, "maskingInfo", "masking"),
                               f"{where}/designInfo/maskingInfo/masking")
        if masking in vocabulary.MASKING_DESIGN:
            self.own.link(self.trial, SCHEMA.trialDesign, vocabulary.MASKING_DESIGN[masking])
        self.concept(self.trial, EKG.primaryPurpose, vocabulary.PRIMARY_PURPOSE,
                     info.get("primaryPurpose"), f"{where}/designInfo/primaryPurpose")
        self.concept(self.trial, EKG.observationalModel, vocabulary.OBSERVATIONAL_MODEL,
                     info.get("observationalModel"), f"{where}/designInfo/observationalModel")
        self.concept(self.trial, EKG.timePerspective, vocabulary.TIME_PERSPECTIVE,
                     info.get("timePerspective"), f"{where}/designInfo/timePerspective")
        enrollment = values.integer(_get(design, "enrollmentInfo", "count"))
        if enrollment is not None:
            self.own.typed(self.trial, EKG.enrollment, str(enrollment), XSD.integer)
            self.at(self.trial, f"{where}/enrollmentInfo/count", EKG.enrollment)
            self.concept(self.trial, EKG.enrollmentStatus, vocabulary.FIGURE_STATUS,
                         _get(design, "enrollmentInfo", "type"), f"{where}/enrollmentInfo/type")

    def status(self, protocol: Json) -> None:
        where = pointer("protocolSection", "statusModule")
        status = protocol.get("statusModule") or {}
        self.concept(self.trial, EKG.overallStatus, vocabulary.STATUS, status.get("overallStatus"),
                     f"{where}/overallStatus")
        for field_name, predicate, status_predicate in (
            ("startDateStruct", EKG.startDate, EKG.startDateStatus),
            ("primaryCompletionDateStruct", EKG.primaryCompletionDate, EKG.primaryCompletionDateStatus),
            ("completionDateStruct", EKG.completionDate, EKG.completionDateStatus),
        ):
            struct = status.get(field_name) or {}
            if struct.get("date") is not None:
                self.date(self.trial, predicate, struct.get("date"), f"{where}/{field_name}/date")
                self.concept(self.trial, status_predicate, vocabulary.FIGURE_STATUS,
                             struct.get("type"), f"{where}/{field_name}/type")
        posted = _get(status, "resultsFirstPostDateStruct", "date")
        if posted is not None:
            self.date(self.trial, EKG.resultsFirstPosted, posted,
                      f"{where}/resultsFirstPostDateStruct/date")

    def conditions(self, protocol: Json) -> list[str]:
        found: list[str] = []
        meshes = [m for m in _list(self.record, "derivedSection", "conditionBrowseModule", "meshes")
                  if isinstance(m, dict) and _text(m.get("id")) and _text(m.get("term"))]
        mesh_names = {normalized(str(m["term"])) for m in meshes}
        for mesh in meshes:
            found.append(self.reference_node(self.context.conditions, str(mesh["term"]),
                                             str(mesh["id"]), ()))
        where = pointer("protocolSection", "conditionsModule", "conditions")
        for index, raw in enumerate(_list(protocol, "conditionsModule", "conditions")):
            name = _text(raw)
            if name is None or normalized(name) in mesh_names:
                continue
            found.append(self.reference_node(self.context.conditions, name, None, (),
                                             where=f"{where}/{index}", about=self.trial))
        for node in dict.fromkeys(found):
            self.own.link(self.trial, SCHEMA.healthCondition, node)
            self.own.link(self.trial, SCHEMA.studySubject, node)
        if not found:
            self.notes.append("no conditions given")
        return list(dict.fromkeys(found))

    def reference_node(
        self,
        index: Index,
        name: str,
        mesh_id: str | None,
        synonyms: tuple[str, ...],
        *,
        where: str | None = None,
        about: str | None = None,
    ) -> str:
        """The drug or condition for a registry name, described when new (see reconcile)."""
        match: Match = index.match(name, mesh_id, synonyms)
        if match.problem:
            self.notes.append(match.problem)
        if match.note and about is not None:
            self.own.text(about, EKG.matchNote, f"{index.kind} {name!r}: {match.note}")
            if where:
                self.at(about, where, EKG.matchNote)
        if match.minted:
            lines = index.minted.get(match.node)
            if lines is None:
                lines = self.describe(index.kind, match.node, name, mesh_id)
                index.add(match.node, [name], [mesh_id] if mesh_id else [], lines)
            self.shared_node(match.node, lines)
        return match.node

    def describe(self, kind: str, node: str, name: str, mesh_id: str | None) -> tuple[str, ...]:
        out = LineWriter()
        kinds = (EKG.Drug, SCHEMA.Drug) if kind == "drug" else (EKG.Condition, SCHEMA.MedicalCondition)
        for kind_iri in kinds:
            out.link(node, RDF.type, kind_iri)
        out.text(node, RDFS.label, name)
        out.text(node, SCHEMA.name, name)
        if mesh_id:
            code = f"{node}-mesh"
            out.link(node, SCHEMA.code, code)
            out.link(code, RDF.type, SCHEMA.MedicalCode)
            out.text(code, SCHEMA.codingSystem, "MeSH")
            out.text(code, SCHEMA.codeValue, mesh_id.strip().upper())
            out.link(code, SCHEMA.url, f"{MESH_URL}{mesh_id.strip().upper()}")
        out.text(node, SKOS.note, f"Named by a {REGISTRY} record; the registry's MeSH term"
                 if mesh_id else f"Named by a {REGISTRY} record, with no MeSH id")
        return tuple(out.lines)

    def population(self, protocol: Json, conditions: list[str]) -> None:
        eligibility = protocol.get("eligibilityModule")
        if not isinstance(eligibility, dict):
            self.notes.append("no eligibility criteria given")
            return
        where = pointer("protocolSection", "eligibilityModule")
        node = f"{self.trial}/population"
        self.fact(node, [EKG.Population], f"Participants eligible for {self.label}", where)
        self.own.link(self.trial, EKG.population, node)
        for condition in conditions:
            self.own.link(node, SCHEMA.healthCondition, condition)
        self.text(node, EKG.eligibilityCriteria, eligibility.get("eligibilityCriteria"),
                  f"{where}/eligibilityCriteria")
        self.text(node, EKG.sex, eligibility.get("sex"), f"{where}/sex")
        self.text(node, EKG.minimumAge, eligibility.get("minimumAge"), f"{where}/minimumAge")
        self.text(node, EKG.maximumAge, eligibility.get("maximumAge"), f"{where}/maximumAge")
        healthy = eligibility.get("healthyVolunteers")
        if isinstance(healthy, bool):
            self.own.typed(node, EKG.healthyVolunteers, "true" if healthy else "false", XSD.boolean)
            self.at(node, f"{where}/healthyVolunteers", EKG.healthyVolunteers)

    def sponsor(self, protocol: Json) -> None:
        name = _text(_get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name"))
        if name is None:
            return
        node = f"{self.base}organization/{slug(name)}"
        out = LineWriter()
        out.link(node, RDF.type, SCHEMA.Organization)
        out.text(node, RDFS.label, name)
        out.text(node, SCHEMA.name, name)
        self.shared_node(node, out.lines)
        self.own.link(self.trial, SCHEMA.sponsor, node)
        self.at(self.trial, pointer("protocolSection", "sponsorCollaboratorsModule", "leadSponsor"),
                SCHEMA.sponsor)

    def interventions_and_arms(self, protocol: Json) -> None:
        module = protocol.get("armsInterventionsModule") or {}
        where = pointer("protocolSection", "armsInterventionsModule")
        meshes = [m for m in _list(self.record, "derivedSection", "interventionBrowseModule", "meshes")
                  if isinstance(m, dict) and _text(m.get("id")) and _text(m.get("term"))]
        interventions: list[tuple[str, Json, str | None]] = []
        for index, item in enumerate(_list(module, "interventions")):
            if not isinstance(item, dict):
                continue
            node = f"{self.trial}/intervention-{index + 1}"
            at = f"{where}/interventions/{index}"
            name = _text(item.get("name")) or f"Intervention {index + 1}"
            self.fact(node, [EKG.Intervention], name, at)
            kind = self.concept(node, EKG.interventionType, vocabulary.INTERVENTION_TYPE,
                                item.get("type"), f"{at}/type")
            self.text(node, SCHEMA.description, item.get("description"), f"{at}/description")
            synonyms = tuple(s for s in (_text(x) for x in _list(item, "otherNames")) if s)
            for synonym in synonyms:
                self.own.text(node, SCHEMA.alternateName, synonym)
            drug = None
            mesh = self.mesh_for(name, synonyms, meshes)
            if kind in vocabulary.DRUG_TYPES or kind is None:
                if mesh is None and _PLACEBO.search(name):
                    self.own.typed(node, EKG.placebo, "true", XSD.boolean)
                elif kind is not None or mesh is not None:
                    drug = self.reference_node(
                        self.context.drugs,
                        str(mesh["term"]) if mesh else name,
                        str(mesh["id"]) if mesh else None,
                        (name, *synonyms) if mesh else synonyms,
                        where=at,
                        about=node,
                    )
                    self.own.link(node, EKG.drug, drug)
                    self.at(node, f"{at}/name", EKG.drug)
            elif _PLACEBO.search(name):
                self.own.typed(node, EKG.placebo, "true", XSD.boolean)
            interventions.append((node, item, drug))
        for index, arm in enumerate(_list(module, "armGroups")):
            if not isinstance(arm, dict):
                continue
            node = f"{self.trial}/arm-{index + 1}"
            at = f"{where}/armGroups/{index}"
            label = _text(arm.get("label")) or f"Arm {index + 1}"
            self.fact(node, [EKG.Arm], label, at)
            self.arm_labels[node] = label
            self.own.link(self.trial, EKG.arm, node)
            role = self.concept(node, EKG.armRole, vocabulary.ARM_ROLE, arm.get("type"), f"{at}/type")
            if role is None:
                self.own.link(node, EKG.armRole, EKG.OtherArm)
                role = EKG.OtherArm
            if role == EKG.PlaceboComparatorArm:
                self.own.link(self.trial, SCHEMA.trialDesign, SCHEMA.PlaceboControlledTrial)
            self.arm_roles[node] = role
            self.text(node, SCHEMA.description, arm.get("description"), f"{at}/description")
            names = {normalized(_TYPE_PREFIX.sub("", str(n))) for n in _list(arm, "interventionNames")}
            for intervention, item, drug in interventions:
                labels = {normalized(str(x)) for x in _list(item, "armGroupLabels")}
                if normalized(label) in labels or normalized(str(item.get("name", ""))) in names:
                    self.own.link(node, EKG.intervention, intervention)
                    if drug is not None:
                        self.drugs_given.add(drug)
            self.arms.append((node, arm))
        if not self.arms:
            self.notes.append("no arm groups given")

    @staticmethod
    def mesh_for(name: str, synonyms: tuple[str, ...], meshes: list[Json]) -> Json | None:
        """The intervention's MeSH term: one whose term is its name or a synonym, else the one
        term contained in its name ("Dasatinib 100 mg" -> "Dasatinib")."""
        names = {normalized(n) for n in (name, *synonyms)}
        exact = [m for m in meshes if normalized(str(m["term"])) in names]
        if len(exact) == 1:
            return exact[0]
        contained = [
            m for m in meshes
            if re.search(rf"\b{re.escape(normalized(str(m['term'])))}\b", normalized(name))
        ]
        return contained[0] if len(contained) == 1 else None

    def references(self, protocol: Json) -> None:
        where = pointer("protocolSection", "referencesModule", "references")
        for index, ref in enumerate(_list(protocol, "referencesModule", "references")):
            if not isinstance(ref, dict):
                continue
            node = f"{self.trial}/reference-{index + 1}"
            at = f"{where}/{index}"
            pmid = _text(ref.get("pmid"))
            label = f"Reference {index + 1} of {self.nct}" + (f" (PMID {pmid})" if pmid else "")
            self.fact(node, [EKG.Reference], label, at)
            self.own.link(self.trial, EKG.reference, node)
            kind = self.concept(node, EKG.referenceType, vocabulary.REFERENCE_TYPE, ref.get("type"),
                                f"{at}/type")
            self.text(node, EKG.citation, ref.get("citation"), f"{at}/citation")
            if pmid is None:
                continue
            if not _PMID.match(pmid):
                self.notes.append(f"{at}/pmid: {pmid!r} is not a PubMed identifier, left out")
                continue
            publication = f"{self.base}publication/pmid-{pmid}"
            out = LineWriter()
            out.link(publication, RDF.type, EKG.Publication)
            out.link(publication, RDF.type, SCHEMA.ScholarlyArticle)
            out.text(publication, RDFS.label, f"PubMed {pmid}")
            out.text(publication, EKG.sourceKey, f"PMID-{pmid}")
            out.text(publication, EKG.pmid, pmid)
            out.text(publication, SCHEMA.identifier, f"PMID:{pmid}")
            out.link(publication, SCHEMA.sameAs, f"{PUBMED_URL}{pmid}/")
            self.shared_node(publication, out.lines)
            self.own.link(node, EKG.cites, publication)
            if kind in (EKG.ResultReference, EKG.DerivedReference):
                self.own.link(self.trial, SCHEMA.subjectOf, publication)

    # --- results ------------------------------------------------------------------------------

    def arm_for(self, group: Json, where: str) -> _Group:
        """The arm a results group belongs to: the one protocol arm that fits it (see
        :func:`matching_arms`), else an arm of its own, one per distinct group title."""
        group_id = _text(group.get("id")) or "group"
        title = _text(group.get("title")) or group_id
        candidates = matching_arms(title, _text(group.get("description")), self.arms)
        if len(candidates) == 1:
            return _Group(group_id, title, candidates[0])
        key = normalized(title) or group_id.lower()
        arm = self.group_arms.get(key)
        if arm is None:
            arm = f"{self.trial}/group-{len(self.group_arms) + 1}"
            self.group_arms[key] = arm
            self.fact(arm, [EKG.Arm], title, where)
            self.arm_labels[arm] = title
            self.own.link(self.trial, EKG.arm, arm)
            self.own.link(arm, EKG.armRole, EKG.OtherArm)
            self.arm_roles[arm] = EKG.OtherArm
            self.text(arm, SCHEMA.description, group.get("description"), f"{where}/description")
            self.own.text(arm, SKOS.note, "A results group of the registry record that no protocol "
                          "arm group matches by title or description.")
        if group_id not in self.group_ids[arm]:
            self.group_ids[arm].add(group_id)
            if re.fullmatch(r"[A-Z]G\d{3}", group_id):
                self.own.text(arm, EKG.registryGroupId, group_id)
        self.unmatched[title].append(group_id)
        return _Group(group_id, title, arm)

    def results(self, results: Json) -> None:
        label = f"Results posted to {REGISTRY} (record version of {self.version})"
        self.fact(self.report, [EKG.Report], label, pointer("resultsSection"))
        self.own.link(self.trial, EKG.report, self.report)
        self.own.link(self.report, EKG.reportKind, EKG.RegistryResults)
        outcomes = _list(results, "outcomeMeasuresModule", "outcomeMeasures")
        if not outcomes:
            self.notes.append("the results section gives no outcome measures")
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, dict):
                self.outcome(index, outcome)
        events = results.get("adverseEventsModule")
        if isinstance(events, dict):
            self.adverse_events(events)
        else:
            self.notes.append("no adverse events given")

    def outcome(self, index: int, outcome: Json) -> None:
        at = pointer("resultsSection", "outcomeMeasuresModule", "outcomeMeasures", index)
        node = f"{self.trial}/outcome-{index + 1}"
        title = _text(outcome.get("title")) or f"Outcome {index + 1}"
        kind_code = vocabulary.code(outcome.get("type"))
        self.result_titles.add((normalized(title), kind_code or ""))
        self.fact(node, [EKG.Endpoint], title, at)
        self.own.link(self.trial, EKG.endpoint, node)
        self.concept(node, EKG.endpointKind, vocabulary.ENDPOINT_KIND, outcome.get("type"), f"{at}/type")
        self.text(node, SKOS.definition, outcome.get("description"), f"{at}/description")
        self.text(node, EKG.timeFrame, outcome.get("timeFrame"), f"{at}/timeFrame")
        self.text(node, EKG.unitLabel, outcome.get("unitOfMeasure"), f"{at}/unitOfMeasure")
        self.text(node, EKG.populationDescription, outcome.get("populationDescription"),
                  f"{at}/populationDescription")
        measure_type = self.concept(node, EKG.measureType, vocabulary.MEASURE_TYPE,
                                    outcome.get("paramType"), f"{at}/paramType")
        dispersion, level = vocabulary.dispersion_type(outcome.get("dispersionType"))
        if dispersion is not None:
            self.own.link(node, EKG.dispersionType, dispersion)
            self.at(node, f"{at}/dispersionType", EKG.dispersionType)
        groups = {}
        for g, group in enumerate(_list(outcome, "groups")):
            if isinstance(group, dict) and _text(group.get("id")):
                groups[str(group["id"]).strip()] = self.arm_for(group, f"{at}/groups/{g}")
        denominators = self.denominators(_list(outcome, "denoms"))
        cells: dict[str, list[str]] = defaultdict(list)
        figures: dict[str, ArmFigure] = {}
        classes = [c for c in _list(outcome, "classes") if isinstance(c, dict)]
        single = len(classes) == 1 and len(_list(classes[0], "categories")) == 1
        for c, klass in enumerate(classes):
            class_title = _text(klass.get("title"))
            class_denominators = self.denominators(_list(klass, "denoms")) or denominators
            for k, category in enumerate(_list(klass, "categories")):
                if not isinstance(category, dict):
                    continue
                category_title = _text(category.get("title"))
                for m, measurement in enumerate(_list(category, "measurements")):
                    if not isinstance(measurement, dict):
                        continue
                    group = groups.get(str(measurement.get("groupId", "")).strip())
                    where = f"{at}/classes/{c}/categories/{k}/measurements/{m}"
                    if group is None:
                        self.notes.append(f"{where}: names no group of the outcome, left out")
                        continue
                    if all(_text(measurement.get(key)) is None
                           for key in ("value", "spread", "lowerLimit", "upperLimit")):
                        self.notes.append(f"{where}: gives no figure, left out")
                        continue
                    result = f"{node}/result-{c + 1}-{k + 1}-{group.group_id.lower()}"
                    parts = [title, group.title, class_title, category_title]
                    self.fact(result, [EKG.ArmResult], ", ".join(p for p in parts if p), where)
                    self.own.link(result, EKG.arm, group.arm)
                    self.own.link(result, EKG.endpoint, node)
                    self.own.link(result, EKG.report, self.report)
                    if class_title:
                        self.own.text(result, EKG.resultClass, class_title)
                    if category_title:
                        self.own.text(result, EKG.category, category_title)
                    denominator = class_denominators.get(group.group_id)
                    if denominator is not None:
                        self.own.typed(result, EKG.denominator, str(denominator), XSD.integer)
                        self.at(result, f"{at}/denoms", EKG.denominator)
                    cell = self.measurement(result, measurement, where, measure_type, dispersion, level)
                    if cell is not None:
                        figures[group.arm] = ArmFigure(
                            result, str(measure_type) if measure_type else None, count=cell,
                            denominator=denominator,
                        )
                    cells[group.arm].append(result)
        analyses = [a for a in _list(outcome, "analyses") if isinstance(a, dict)]
        for a, analysis in enumerate(analyses):
            self.analysis(node, title, a, analysis, f"{at}/analyses/{a}", groups,
                          cells if single else {}, figures if single else {})
        if not analyses and single and len(figures) == 2:
            self.derived_comparison(node, title, at, figures)

    @staticmethod
    def denominators(denoms: list[Any]) -> dict[str, int]:
        """Participants per group: the denominators in "Participants", else the first given."""
        chosen = None
        for denom in denoms:
            if isinstance(denom, dict) and normalized(str(denom.get("units", ""))) == "participants":
                chosen = denom
                break
        if chosen is None and denoms and isinstance(denoms[0], dict):
            chosen = denoms[0]
        found: dict[str, int] = {}
        for count in _list(chosen, "counts"):
            value = values.integer(_get(count, "value"))
            group = _text(_get(count, "groupId"))
            if value is not None and group is not None:
                found[group] = value
        return found

    def measurement(
        self,
        result: str,
        measurement: Json,
        where: str,
        measure_type: URIRef | None,
        dispersion: URIRef | None,
        level: str | None,
    ) -> int | None:
        """The figures of one cell; returns the count when the cell counts participants."""
        count = None
        raw = measurement.get("value")
        if measure_type in (EKG.Count, EKG.CountOfUnits) and values.integer(raw) is not None:
            count = values.integer(raw)
            self.own.typed(result, EKG.count, str(count), XSD.integer)
            self.at(result, f"{where}/value", EKG.count)
        else:
            self.number(result, RDF.value, raw, f"{where}/value")
        has_spread = any(measurement.get(k) not in (None, "") for k in ("spread", "lowerLimit", "upperLimit"))
        if has_spread and dispersion is not None:
            self.own.link(result, EKG.dispersionType, dispersion)
        self.number(result, EKG.dispersion, measurement.get("spread"), f"{where}/spread",
                    EKG.dispersionText)
        if dispersion == EKG.ConfidenceInterval:
            lower, upper = EKG.ciLower, EKG.ciUpper
            if level is not None and has_spread:
                self.own.typed(result, EKG.ciLevel,
                               values.canonical_decimal(Decimal(level) / 100), XSD.decimal)
        else:
            lower, upper = EKG.lowerLimit, EKG.upperLimit
        self.number(result, lower, measurement.get("lowerLimit"), f"{where}/lowerLimit", EKG.lowerText)
        self.number(result, upper, measurement.get("upperLimit"), f"{where}/upperLimit", EKG.upperText)
        self.text(result, EKG.note, measurement.get("comment"), f"{where}/comment")
        return count

    def roles(self, first: str, second: str) -> tuple[str, str] | None:
        """(intervention, comparator) of two arms, when their roles say which is which: exactly
        one of them is a comparator (active, placebo, sham, no intervention)."""
        one, two = self.arm_roles.get(first), self.arm_roles.get(second)
        comparators = vocabulary.COMPARATOR_ROLES
        if one in comparators and two not in comparators:
            return second, first
        if two in comparators and one not in comparators:
            return first, second
        return None

    def analysis(
        self,
        endpoint: str,
        title: str,
        index: int,
        analysis: Json,
        at: str,
        groups: Mapping[str, _Group],
        cells: Mapping[str, list[str]],
        figures: Mapping[str, ArmFigure],
    ) -> None:
        node = f"{endpoint}/comparison-{index + 1}"
        ids = [str(g).strip() for g in _list(analysis, "groupIds")]
        arms = [groups[g].arm for g in ids if g in groups]
        names = [groups[g].title for g in ids if g in groups]
        label = f"{title}: " + " vs ".join(names) if names else f"{title}: analysis {index + 1}"
        self.fact(node, [EKG.Comparison], label, at)
        self.own.link(node, EKG.endpoint, endpoint)
        self.own.link(node, EKG.report, self.report)
        pair = self.roles(arms[0], arms[1]) if len(arms) == 2 and arms[0] != arms[1] else None
        if pair is not None:
            self.own.link(node, EKG.intervention, pair[0])
            self.own.link(node, EKG.comparator, pair[1])
            self.at(node, f"{at}/groupIds", EKG.intervention)
            self.at(node, f"{at}/groupIds", EKG.comparator)
        else:
            for arm in dict.fromkeys(arms):
                self.own.link(node, EKG.comparedArm, arm)
            self.at(node, f"{at}/groupIds", EKG.comparedArm)
            if len(arms) == 2:
                self.notes.append(f"{at}: the arms' roles do not say which group is the "
                                  "comparator; the analysis names both as compared arms")
        results = None
        if pair is not None and all(len(cells.get(arm, ())) == 1 for arm in pair):
            results = (cells[pair[0]][0], cells[pair[1]][0])
            self.own.link(node, EKG.interventionResult, results[0])
            self.own.link(node, EKG.comparatorResult, results[1])
        p_value = self.number(node, EKG.pValue, analysis.get("pValue"), f"{at}/pValue", EKG.pValueText)
        if p_value is not None and p_value.comparator and p_value.lexical is not None:
            self.own.text(node, EKG.pValueComparator, p_value.comparator)
            self.at(node, f"{at}/pValue", EKG.pValueComparator)
        self.text(node, EKG.analysisMethod, analysis.get("statisticalMethod"), f"{at}/statisticalMethod")
        self.concept(node, EKG.hypothesisType, vocabulary.HYPOTHESIS_TYPE,
                     analysis.get("nonInferiorityType"), f"{at}/nonInferiorityType")
        self.text(node, EKG.hypothesisNote, analysis.get("nonInferiorityComment"),
                  f"{at}/nonInferiorityComment")
        for key in ("groupDescription", "statisticalComment", "pValueComment", "otherAnalysisDescription"):
            self.text(node, EKG.note, analysis.get(key), f"{at}/{key}")
        self.reported_estimate(node, label, analysis, at)
        if results is not None and pair is not None and all(arm in figures for arm in pair):
            verdict = two_by_two(figures[pair[0]], figures[pair[1]])
            if verdict.first is not None and verdict.second is not None:
                self.derive(node, label, verdict.first, verdict.second)
        if p_value is not None and p_value.lexical is not None:
            write_significance(self.own, self.base, node, label, float(p_value.lexical),
                               p_value.comparator)
            self.methods()

    def reported_estimate(self, comparison: str, label: str, analysis: Json, at: str) -> None:
        param_type = _text(analysis.get("paramType"))
        value = values.number(analysis.get("paramValue"))
        if param_type is None and value is None:
            return
        if value is None or value.lexical is None:
            text = f"{param_type or 'Estimate'} {analysis.get('paramValue') or '(no value)'}"
            self.own.text(comparison, EKG.note, f"Estimate as reported, not a number: {text}")
            self.at(comparison, f"{at}/paramValue", EKG.note)
            return
        node = f"{comparison}/estimate"
        statistic = vocabulary.statistic_type(param_type)
        self.fact(node, [EKG.EffectEstimate], f"{param_type or 'Estimate'}, {label}", at)
        stato = self.context.stato.get(statistic)
        if stato is not None:
            self.own.link(node, RDF.type, stato)
        self.own.link(comparison, EKG.estimate, node)
        self.own.link(node, EKG.statistic, statistic)
        self.at(node, f"{at}/paramType", EKG.statistic)
        if param_type:
            self.own.text(node, EKG.statisticText, param_type)
        self.number(node, RDF.value, analysis.get("paramValue"), f"{at}/paramValue")
        self.number(node, EKG.ciLower, analysis.get("ciLowerLimit"), f"{at}/ciLowerLimit", EKG.lowerText)
        self.number(node, EKG.ciUpper, analysis.get("ciUpperLimit"), f"{at}/ciUpperLimit", EKG.upperText)
        level = values.confidence_level(analysis.get("ciPctValue"))
        if level is not None and level.lexical is not None:
            self.own.typed(node, EKG.ciLevel, level.lexical, XSD.decimal)
            self.at(node, f"{at}/ciPctValue", EKG.ciLevel)
        sides = vocabulary.code(analysis.get("ciNumSides"))
        if sides in ("ONE_SIDED", "TWO_SIDED"):
            self.own.text(node, EKG.ciSides, "one-sided" if sides == "ONE_SIDED" else "two-sided")
            self.at(node, f"{at}/ciNumSides", EKG.ciSides)
        spread = self.number(node, EKG.dispersion, analysis.get("dispersionValue"),
                             f"{at}/dispersionValue", EKG.dispersionText)
        if spread is not None:
            dispersion, _ = vocabulary.dispersion_type(analysis.get("dispersionType"))
            if dispersion is not None:
                self.own.link(node, EKG.dispersionType, dispersion)
        for key in ("estimateComment", "ciLowerLimitComment", "ciUpperLimitComment"):
            self.text(node, EKG.note, analysis.get(key), f"{at}/{key}")

    def derive(self, comparison: str, label: str, first: ArmCounts, second: ArmCounts) -> None:
        write_estimates(self.own, self.base, comparison, label, first, second)
        self.methods()

    def methods(self) -> None:
        """The software and the methods derived facts name, as shared reference data."""
        out = LineWriter()
        write_agent(out, self.base)
        for method in METHODS:
            write_method(out, self.base, method)
        self.shared_node(f"{self.base}agent/evidence-kg", out.lines)

    def derived_comparison(
        self,
        endpoint: str,
        title: str,
        at: str,
        figures: Mapping[str, ArmFigure],
    ) -> None:
        """A comparison of the two groups of a counting outcome without a posted analysis, made
        so that the code can derive its estimates (when :func:`kg.derive.two_by_two` allows);
        the record's counts are its source."""
        first, second = list(figures)
        pair = self.roles(first, second)
        if pair is None:
            return
        verdict = two_by_two(figures[pair[0]], figures[pair[1]])
        if verdict.first is None or verdict.second is None:
            return
        node = f"{endpoint}/comparison-of-counts"
        names = {arm: figures[arm].result for arm in pair}
        label = f"{title}: {self.arm_labels[pair[0]]} vs {self.arm_labels[pair[1]]}"
        self.fact(node, [EKG.Comparison], label, f"{at}/classes/0/categories/0/measurements")
        self.own.text(node, SKOS.note, "The registry posts both groups' counts on this outcome but "
                      "no analysis of them; this comparison holds only what the code derives.")
        self.own.link(node, EKG.endpoint, endpoint)
        self.own.link(node, EKG.report, self.report)
        self.own.link(node, EKG.intervention, pair[0])
        self.own.link(node, EKG.comparator, pair[1])
        self.own.link(node, EKG.interventionResult, names[pair[0]])
        self.own.link(node, EKG.comparatorResult, names[pair[1]])
        self.derive(node, label, verdict.first, verdict.second)

    def adverse_events(self, events: Json) -> None:
        at = pointer("resultsSection", "adverseEventsModule")
        groups = [g for g in _list(events, "eventGroups") if isinstance(g, dict)]
        tables = (
            ("serious", "Participants with serious adverse events", "seriousNumAffected", "seriousNumAtRisk"),
            ("other", "Participants with other (not serious) adverse events", "otherNumAffected", "otherNumAtRisk"),
            ("deaths", "Deaths (all causes)", "deathsNumAffected", "deathsNumAtRisk"),
        )
        for slug_, label, affected_key, at_risk_key in tables:
            rows = [(g, values.integer(group.get(affected_key)), values.integer(group.get(at_risk_key)))
                    for g, group in enumerate(groups)]
            rows = [(g, affected, at_risk) for g, affected, at_risk in rows if affected is not None]
            if not rows:
                continue
            node = f"{self.trial}/adverse-events-{slug_}"
            self.fact(node, [EKG.Endpoint], label, at)
            self.own.link(self.trial, EKG.endpoint, node)
            self.own.link(node, EKG.endpointKind, EKG.AdverseEventsEndpoint)
            self.own.link(node, EKG.measureType, EKG.Count)
            self.own.text(node, EKG.unitLabel, "Participants")
            self.text(node, EKG.timeFrame, events.get("timeFrame"), f"{at}/timeFrame")
            self.text(node, SKOS.definition, events.get("description"), f"{at}/description")
            for g, affected, at_risk in rows:
                group = groups[g]
                where = f"{at}/eventGroups/{g}"
                arm = self.arm_for(group, where)
                result = f"{node}/{arm.group_id.lower()}"
                self.fact(result, [EKG.ArmResult], f"{label}, {arm.title}", where)
                self.own.link(result, EKG.arm, arm.arm)
                self.own.link(result, EKG.endpoint, node)
                self.own.link(result, EKG.report, self.report)
                self.own.typed(result, EKG.count, str(affected), XSD.integer)
                self.at(result, f"{where}/{affected_key}", EKG.count)
                if at_risk is not None:
                    self.own.typed(result, EKG.denominator, str(at_risk), XSD.integer)
                    self.at(result, f"{where}/{at_risk_key}", EKG.denominator)

    def protocol_outcomes(self, protocol: Json) -> None:
        """Outcomes the protocol declares that the results do not report (all of them when the
        record has no results)."""
        reported = self.result_titles
        where = pointer("protocolSection", "outcomesModule")
        for key, kind in (("primaryOutcomes", "PRIMARY"), ("secondaryOutcomes", "SECONDARY"),
                          ("otherOutcomes", "OTHER_PRE_SPECIFIED")):
            for index, outcome in enumerate(_list(protocol, "outcomesModule", key)):
                title = _text(_get(outcome, "measure"))
                if title is None or (normalized(title), kind) in reported:
                    continue
                node = f"{self.trial}/endpoint-{kind.lower().replace('_', '-')}-{index + 1}"
                at = f"{where}/{key}/{index}"
                self.fact(node, [EKG.Endpoint], title, at)
                self.own.link(self.trial, EKG.endpoint, node)
                self.own.link(node, EKG.endpointKind, vocabulary.ENDPOINT_KIND[kind])
                self.text(node, SKOS.definition, _get(outcome, "description"), f"{at}/description")
                self.text(node, EKG.timeFrame, _get(outcome, "timeFrame"), f"{at}/timeFrame")


def map_record(study: Json, origin: str, context: MappingContext) -> StudyGraph:
    """One study record (already checked by :func:`kg.ctgov.records.missing_field`) as the
    study's graph, ready for :func:`kg.write.write_studies`."""
    return _Mapper(study, origin, context).map()

