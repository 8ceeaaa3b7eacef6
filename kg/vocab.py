"""Namespaces and the IRIs of the evidence ontology, in one place.

Why: the ontology file is the source of truth for terms; code that names a term goes through here
so that a typo is an AttributeError at import (``EKG.Trail``) and not a silently empty query.
``tests/test_vocab.py`` proves every term named here is declared in ``ontology/evidence.ttl``.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/evidence-kg/ontology/"
DEFAULT_BASE_IRI = "https://w3id.org/evidence-kg/id/"

SCHEMA = Namespace("https://schema.org/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
FHIR_STATISTIC_TYPE = Namespace("http://terminology.hl7.org/CodeSystem/statistic-type")
SH = Namespace("http://www.w3.org/ns/shacl#")


PREFIXES: dict[str, str] = {
    "ekg": ONTOLOGY_IRI,
    "schema": str(SCHEMA),
    "obo": str(OBO),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "owl": str(OWL),
    "xsd": str(XSD),
    "unit": str(QUDT_UNIT),
    "sh": str(SH),
}
"""Prefixes every serialization and report uses, so output reads the same everywhere."""


def bind_prefixes(graph: Graph) -> Graph:
    """Bind :data:`PREFIXES` on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


class EKG(DefinedNamespace):
    """Terms of the evidence ontology (``ontology/evidence.ttl``)."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # classes
    Trial: object
    Registration: object
    Population: object
    Arm: object
    Intervention: object
    Drug: object
    Condition: object
    Endpoint: object
    Report: object
    ArmResult: object
    Comparison: object
    EffectEstimate: object
    CrossoverResult: object
    Finding: object
    Publication: object
    Source: object
    ApproximateEventCount: object
    StatisticalMethod: object
    Computation: object
    # concept classes
    TrialPhase: object
    ArmRole: object
    EndpointKind: object
    ReportKind: object
    AnalysisPopulation: object
    StatisticType: object
    FindingKind: object
    DesignConcept: object
    Route: object
    # trial and design
    registration: object
    registry: object
    registryId: object
    registeredPhase: object
    phase: object
    allocation: object
    masking: object
    interventionModel: object
    primaryPurpose: object
    allocationRatio: object
    enrollment: object
    randomized: object
    startDate: object
    primaryCompletionDate: object
    resultsFirstPosted: object
    crossoverRule: object
    population: object
    arm: object
    endpoint: object
    report: object
    finding: object
    # population
    inclusionCriterion: object
    # arms and interventions
    armRole: object
    participants: object
    allocationWeight: object
    intervention: object
    drug: object
    doseValue: object
    doseUnit: object
    doseComparator: object
    route: object
    frequency: object
    maximumDuration: object
    doseEscalationAllowed: object
    # endpoints and reports
    endpointKind: object
    timeFrame: object
    reportKind: object
    followUp: object
    minimumFollowUp: object
    publication: object
    # results
    measure: object
    timePoint: object
    analysisPopulation: object
    analysisMethod: object
    percentage: object
    unit: object
    count: object
    denominator: object
    crossoverTo: object
    medianTimeToCrossoverMonths: object
    # comparisons and estimates
    comparator: object
    interventionResult: object
    comparatorResult: object
    pValue: object
    pValueComparator: object
    significant: object
    estimate: object
    statistic: object
    ciLower: object
    ciUpper: object
    ciLevel: object
    countFor: object
    method: object
    # findings
    findingKind: object
    about: object
    # publications and provenance
    doi: object
    authorList: object
    sourceKey: object
    statement: object
    # concepts (individuals)
    Phase1: object
    Phase2: object
    Phase2b: object
    Phase3: object
    Phase4: object
    Randomized: object
    OpenLabel: object
    ParallelAssignment: object
    TreatmentPurpose: object
    ExperimentalArm: object
    ActiveComparatorArm: object
    PlaceboComparatorArm: object
    PrimaryEndpoint: object
    SecondaryEndpoint: object
    TertiaryEndpoint: object
    PrimaryAnalysis: object
    FollowUpAnalysis: object
    FinalAnalysis: object
    IntentionToTreat: object
    CrossoverAdjusted: object
    RiskDifference: object
    RelativeRisk: object
    OddsRatio: object
    HazardRatio: object
    Proportion: object
    OralRoute: object
    Conclusion: object
    Background: object
    SafetyFinding: object
    EfficacyFinding: object


__all__ = [
    "PREFIXES",
    "bind_prefixes",
    "DCTERMS",
    "DEFAULT_BASE_IRI",
    "EKG",
    "FHIR_STATISTIC_TYPE",
    "OBO",
    "ONTOLOGY_IRI",
    "OWL",
    "PROV",
    "QUDT_UNIT",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SKOS",
    "XSD",
]
