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

from kg.ctgov import values, vocabulary
from kg.ctgov.reconcile import Index, Match, normalized, slug
from kg.ctgov.results import ResultsMapping
from kg.ctgov.writer import REGISTRY, Json, MappingContext, get, items, pointer, text_of
from kg.ntriples import LineWriter
from kg.vocab import EKG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.write import StudyGraph

RECORD_URL = "https://clinicaltrials.gov/study/"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/"
MESH_URL = "http://id.nlm.nih.gov/mesh/"

_EUDRACT = re.compile(r"^\d{4}-\d{6}-\d{2}$")
_PMID = re.compile(r"^[1-9]\d{0,8}$")
_PLACEBO = re.compile(r"\b(placebo|sham)\b", re.IGNORECASE)
_TYPE_PREFIX = re.compile(r"^\s*[A-Za-z][A-Za-z ]*:\s*")


class _Mapper(ResultsMapping):
    """Writes one record's triples; :func:`map_record` is the entry point."""

    def __init__(self, study: Json, origin: str, context: MappingContext) -> None:
        super().__init__(study, origin, context)
        self.drugs_given: set[str] = set()
        self.label = self.nct

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
        study_type = vocabulary.code(get(protocol, "designModule", "studyType"))
        if study_type == "INTERVENTIONAL":
            kinds = [EKG.Trial, SCHEMA.MedicalTrial]
        elif study_type == "OBSERVATIONAL":
            kinds = [EKG.Study, SCHEMA.MedicalObservationalStudy]
            self.notes.append("an observational study, not a trial: no arms are assigned")
        else:
            kinds = [EKG.Study, SCHEMA.MedicalStudy]
            self.notes.append(f"study type {study_type or 'not given'}: imported as a study")
        acronym = text_of(ident.get("acronym"))
        self.label = acronym or self.nct
        self.fact(self.trial, kinds, self.label, where)
        title = text_of(ident.get("briefTitle")) or text_of(ident.get("officialTitle")) or self.nct
        self.own.text(self.trial, SCHEMA.name, title)
        self.at(self.trial, pointer("protocolSection", "identificationModule", "briefTitle"), SCHEMA.name)
        self.text(self.trial, EKG.officialTitle, ident.get("officialTitle"), f"{where}/officialTitle")
        if acronym:
            self.own.text(self.trial, SCHEMA.alternateName, acronym)
            self.at(self.trial, f"{where}/acronym", SCHEMA.alternateName)
        else:
            self.own.typed(self.trial, EKG.acronymAbsent, "true", XSD.boolean)
        self.own.text(self.trial, SCHEMA.identifier, self.nct)
        org_id = text_of(get(ident, "orgStudyIdInfo", "id"))
        if org_id:
            self.own.text(self.trial, SCHEMA.identifier, org_id)
        self.text(self.trial, SCHEMA.description, get(protocol, "descriptionModule", "briefSummary"),
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
        for index, info in enumerate(items(protocol, "identificationModule", "secondaryIdInfos")):
            secondary = text_of(get(info, "id"))
            if secondary is None:
                continue
            self.own.text(self.trial, SCHEMA.identifier, secondary)
            kind = vocabulary.code(get(info, "type"))
            registry = text_of(get(info, "domain"))
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
        phases = tuple(sorted(p for p in (vocabulary.code(x) for x in items(design, "phases")) if p))
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
                               get(info, "maskingInfo", "masking"),
                               f"{where}/designInfo/maskingInfo/masking")
        if masking in vocabulary.MASKING_DESIGN:
            self.own.link(self.trial, SCHEMA.trialDesign, vocabulary.MASKING_DESIGN[masking])
        self.concept(self.trial, EKG.primaryPurpose, vocabulary.PRIMARY_PURPOSE,
                     info.get("primaryPurpose"), f"{where}/designInfo/primaryPurpose")
        self.concept(self.trial, EKG.observationalModel, vocabulary.OBSERVATIONAL_MODEL,
                     info.get("observationalModel"), f"{where}/designInfo/observationalModel")
        self.concept(self.trial, EKG.timePerspective, vocabulary.TIME_PERSPECTIVE,
                     info.get("timePerspective"), f"{where}/designInfo/timePerspective")
        enrollment = values.integer(get(design, "enrollmentInfo", "count"))
        if enrollment is not None:
            self.own.typed(self.trial, EKG.enrollment, str(enrollment), XSD.integer)
            self.at(self.trial, f"{where}/enrollmentInfo/count", EKG.enrollment)
            self.concept(self.trial, EKG.enrollmentStatus, vocabulary.FIGURE_STATUS,
                         get(design, "enrollmentInfo", "type"), f"{where}/enrollmentInfo/type")

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
        posted = get(status, "resultsFirstPostDateStruct", "date")
        if posted is not None:
            self.date(self.trial, EKG.resultsFirstPosted, posted,
                      f"{where}/resultsFirstPostDateStruct/date")

    def meshes(self, module: str) -> list[Json]:
        """The MeSH terms the registry derived for the record (``derivedSection/<module>``),
        those with both an id and a term."""
        return [m for m in items(self.record, "derivedSection", module, "meshes")
                if isinstance(m, dict) and text_of(m.get("id")) and text_of(m.get("term"))]

    def conditions(self, protocol: Json) -> list[str]:
        found: list[str] = []
        meshes = self.meshes("conditionBrowseModule")
        mesh_names = {normalized(str(m["term"])) for m in meshes}
        for mesh in meshes:
            found.append(self.reference_node(self.context.conditions, str(mesh["term"]),
                                             str(mesh["id"]), ()))
        where = pointer("protocolSection", "conditionsModule", "conditions")
        for index, raw in enumerate(items(protocol, "conditionsModule", "conditions")):
            name = text_of(raw)
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
        name = text_of(get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name"))
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
        meshes = self.meshes("interventionBrowseModule")
        interventions: list[tuple[str, Json, str | None]] = []
        for index, item in enumerate(items(module, "interventions")):
            if not isinstance(item, dict):
                continue
            node = f"{self.trial}/intervention-{index + 1}"
            at = f"{where}/interventions/{index}"
            name = text_of(item.get("name")) or f"Intervention {index + 1}"
            self.fact(node, [EKG.Intervention], name, at)
            kind = self.concept(node, EKG.interventionType, vocabulary.INTERVENTION_TYPE,
                                item.get("type"), f"{at}/type")
            self.text(node, SCHEMA.description, item.get("description"), f"{at}/description")
            synonyms = tuple(s for s in (text_of(x) for x in items(item, "otherNames")) if s)
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
        for index, arm in enumerate(items(module, "armGroups")):
            if not isinstance(arm, dict):
                continue
            node = f"{self.trial}/arm-{index + 1}"
            at = f"{where}/armGroups/{index}"
            label = text_of(arm.get("label")) or f"Arm {index + 1}"
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
            names = {normalized(_TYPE_PREFIX.sub("", str(n))) for n in items(arm, "interventionNames")}
            for intervention, item, drug in interventions:
                labels = {normalized(str(x)) for x in items(item, "armGroupLabels")}
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
        for index, ref in enumerate(items(protocol, "referencesModule", "references")):
            if not isinstance(ref, dict):
                continue
            node = f"{self.trial}/reference-{index + 1}"
            at = f"{where}/{index}"
            pmid = text_of(ref.get("pmid"))
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

    def protocol_outcomes(self, protocol: Json) -> None:
        """Outcomes the protocol declares that the results do not report (all of them when the
        record has no results)."""
        reported = self.result_titles
        where = pointer("protocolSection", "outcomesModule")
        for key, kind in (("primaryOutcomes", "PRIMARY"), ("secondaryOutcomes", "SECONDARY"),
                          ("otherOutcomes", "OTHER_PRE_SPECIFIED")):
            for index, outcome in enumerate(items(protocol, "outcomesModule", key)):
                title = text_of(get(outcome, "measure"))
                if title is None or (normalized(title), kind) in reported:
                    continue
                node = f"{self.trial}/endpoint-{kind.lower().replace('_', '-')}-{index + 1}"
                at = f"{where}/{key}/{index}"
                self.fact(node, [EKG.Endpoint], title, at)
                self.own.link(self.trial, EKG.endpoint, node)
                self.own.link(node, EKG.endpointKind, vocabulary.ENDPOINT_KIND[kind])
                self.text(node, SKOS.definition, get(outcome, "description"), f"{at}/description")
                self.text(node, EKG.timeFrame, get(outcome, "timeFrame"), f"{at}/timeFrame")



def map_record(study: Json, origin: str, context: MappingContext) -> StudyGraph:
    """One study record (already checked by :func:`kg.ctgov.records.missing_field`) as the
    study's graph, ready for :func:`kg.write.write_studies`."""
    return _Mapper(study, origin, context).map()

