"""Namespaces and the IRIs of the evidence ontology, in one place.

Why: the ontology file is the source of truth for terms; code that names a term goes through here
so that a typo is an AttributeError at import (``EKG.Trail``) and not a silently empty query.
``tests/kg/test_vocab.py`` proves every term named here is declared in ``ontology/evidence.ttl``.
"""

from __future__ import annotations

from typing import TypeVar

from rdflib import Graph, Namespace, URIRef
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


GraphT = TypeVar("GraphT", bound=Graph)


def bind_prefixes(graph: GraphT) -> GraphT:
    """Bind :data:`PREFIXES` on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


class EKG(DefinedNamespace):
    """Terms of the evidence ontology (``ontology/evidence.ttl``)."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # classes
    Trial: URIRef
    Registration: URIRef
    Population: URIRef
    Arm: URIRef
    Intervention: URIRef
    Drug: URIRef
    Condition: URIRef
    Endpoint: URIRef
    Report: URIRef
    ArmResult: URIRef
    Comparison: URIRef
    EffectEstimate: URIRef
    CrossoverResult: URIRef
    Finding: URIRef
    Publication: URIRef
    Source: URIRef
    ApproximateEventCount: URIRef
    SignificanceAssessment: URIRef
    StatisticalMethod: URIRef
    Computation: URIRef
    # concept classes
    TrialPhase: URIRef
    ArmRole: URIRef
    EndpointKind: URIRef
    ReportKind: URIRef
    AnalysisPopulation: URIRef
    StatisticType: URIRef
    FindingKind: URIRef
    DesignConcept: URIRef
    Route: URIRef
    # trial and design
    registration: URIRef
    registry: URIRef
    registryId: URIRef
    registeredPhase: URIRef
    phase: URIRef
    allocation: URIRef
    masking: URIRef
    interventionModel: URIRef
    primaryPurpose: URIRef
    allocationRatio: URIRef
    enrollment: URIRef
    randomized: URIRef
    startDate: URIRef
    primaryCompletionDate: URIRef
    resultsFirstPosted: URIRef
    crossoverRule: URIRef
    population: URIRef
    arm: URIRef
    endpoint: URIRef
    report: URIRef
    finding: URIRef
    # population
    inclusionCriterion: URIRef
    # arms and interventions
    armRole: URIRef
    participants: URIRef
    allocationWeight: URIRef
    intervention: URIRef
    drug: URIRef
    doseValue: URIRef
    doseUnit: URIRef
    doseComparator: URIRef
    route: URIRef
    frequency: URIRef
    maximumDuration: URIRef
    doseEscalationAllowed: URIRef
    # endpoints and reports
    endpointKind: URIRef
    timeFrame: URIRef
    reportKind: URIRef
    followUp: URIRef
    minimumFollowUp: URIRef
    publication: URIRef
    # results
    measure: URIRef
    timePoint: URIRef
    analysisPopulation: URIRef
    analysisMethod: URIRef
    percentage: URIRef
    unit: URIRef
    count: URIRef
    denominator: URIRef
    crossoverTo: URIRef
    medianTimeToCrossoverMonths: URIRef
    # comparisons and estimates
    comparator: URIRef
    interventionResult: URIRef
    comparatorResult: URIRef
    pValue: URIRef
    pValueComparator: URIRef
    significant: URIRef
    significanceAssessment: URIRef
    significanceLevel: URIRef
    estimate: URIRef
    statistic: URIRef
    ciLower: URIRef
    ciUpper: URIRef
    ciLevel: URIRef
    countFor: URIRef
    method: URIRef
    # findings
    findingKind: URIRef
    about: URIRef
    # publications and provenance
    doi: URIRef
    authorList: URIRef
    sourceKey: URIRef
    statement: URIRef
    # concepts (individuals)
    Phase1: URIRef
    Phase2: URIRef
    Phase2b: URIRef
    Phase3: URIRef
    Phase4: URIRef
    Randomized: URIRef
    OpenLabel: URIRef
    ParallelAssignment: URIRef
    TreatmentPurpose: URIRef
    ExperimentalArm: URIRef
    ActiveComparatorArm: URIRef
    PlaceboComparatorArm: URIRef
    PrimaryEndpoint: URIRef
    SecondaryEndpoint: URIRef
    TertiaryEndpoint: URIRef
    PrimaryAnalysis: URIRef
    FollowUpAnalysis: URIRef
    FinalAnalysis: URIRef
    IntentionToTreat: URIRef
    CrossoverAdjusted: URIRef
    RiskDifference: URIRef
    RelativeRisk: URIRef
    OddsRatio: URIRef
    HazardRatio: URIRef
    Proportion: URIRef
    OralRoute: URIRef
    Conclusion: URIRef
    Background: URIRef
    SafetyFinding: URIRef
    EfficacyFinding: URIRef
    # registry records (kg.ctgov): classes
    Study: URIRef
    Reference: URIRef
    StudyStatus: URIRef
    FigureStatus: URIRef
    InterventionType: URIRef
    ReferenceType: URIRef
    DispersionType: URIRef
    HypothesisType: URIRef
    # registry records: properties
    overallStatus: URIRef
    enrollmentStatus: URIRef
    startDateStatus: URIRef
    primaryCompletionDateStatus: URIRef
    completionDateStatus: URIRef
    observationalModel: URIRef
    timePerspective: URIRef
    interventionType: URIRef
    reference: URIRef
    referenceType: URIRef
    cites: URIRef
    measureType: URIRef
    dispersionType: URIRef
    hypothesisType: URIRef
    comparedArm: URIRef
    officialTitle: URIRef
    matchNote: URIRef
    acronymAbsent: URIRef
    completionDate: URIRef
    eligibilityCriteria: URIRef
    sex: URIRef
    minimumAge: URIRef
    maximumAge: URIRef
    healthyVolunteers: URIRef
    placebo: URIRef
    registryGroupId: URIRef
    recordPointer: URIRef
    recordVersion: URIRef
    unitLabel: URIRef
    populationDescription: URIRef
    resultClass: URIRef
    category: URIRef
    dispersion: URIRef
    lowerLimit: URIRef
    upperLimit: URIRef
    ciSides: URIRef
    reportedText: URIRef
    pValueText: URIRef
    dispersionText: URIRef
    lowerText: URIRef
    upperText: URIRef
    statisticText: URIRef
    note: URIRef
    hypothesisNote: URIRef
    citation: URIRef
    pmid: URIRef
    # registry records: concepts (individuals)
    NotYetRecruiting: URIRef
    Recruiting: URIRef
    EnrollingByInvitation: URIRef
    ActiveNotRecruiting: URIRef
    Suspended: URIRef
    Terminated: URIRef
    Completed: URIRef
    Withdrawn: URIRef
    UnknownStatus: URIRef
    Available: URIRef
    NoLongerAvailable: URIRef
    TemporarilyNotAvailable: URIRef
    ApprovedForMarketing: URIRef
    Withheld: URIRef
    Actual: URIRef
    Anticipated: URIRef
    DrugIntervention: URIRef
    BiologicalIntervention: URIRef
    DeviceIntervention: URIRef
    ProcedureIntervention: URIRef
    RadiationIntervention: URIRef
    BehavioralIntervention: URIRef
    GeneticIntervention: URIRef
    DietarySupplementIntervention: URIRef
    CombinationProductIntervention: URIRef
    DiagnosticTestIntervention: URIRef
    OtherIntervention: URIRef
    ResultReference: URIRef
    BackgroundReference: URIRef
    DerivedReference: URIRef
    StandardDeviation: URIRef
    StandardError: URIRef
    InterquartileRange: URIRef
    FullRange: URIRef
    ConfidenceInterval: URIRef
    GeometricCoefficientOfVariation: URIRef
    Superiority: URIRef
    NonInferiority: URIRef
    Equivalence: URIRef
    NonInferiorityOrEquivalence: URIRef
    SuperiorityOrOther: URIRef
    OtherHypothesis: URIRef
    EarlyPhase1: URIRef
    Phase1Phase2: URIRef
    Phase2Phase3: URIRef
    PhaseNotApplicable: URIRef
    NonRandomized: URIRef
    AllocationNotApplicable: URIRef
    SingleBlind: URIRef
    DoubleBlind: URIRef
    TripleBlind: URIRef
    QuadrupleBlind: URIRef
    SingleGroupAssignment: URIRef
    CrossoverAssignment: URIRef
    FactorialAssignment: URIRef
    SequentialAssignment: URIRef
    PreventionPurpose: URIRef
    DiagnosticPurpose: URIRef
    SupportiveCarePurpose: URIRef
    ScreeningPurpose: URIRef
    HealthServicesResearchPurpose: URIRef
    BasicSciencePurpose: URIRef
    DeviceFeasibilityPurpose: URIRef
    EducationalPurpose: URIRef
    OtherPurpose: URIRef
    CohortModel: URIRef
    CaseControlModel: URIRef
    CaseOnlyModel: URIRef
    CaseCrossoverModel: URIRef
    EcologicModel: URIRef
    FamilyBasedModel: URIRef
    DefinedPopulationModel: URIRef
    NaturalHistoryModel: URIRef
    OtherObservationalModel: URIRef
    Prospective: URIRef
    Retrospective: URIRef
    CrossSectional: URIRef
    OtherTimePerspective: URIRef
    ShamComparatorArm: URIRef
    NoInterventionArm: URIRef
    OtherArm: URIRef
    OtherPrespecifiedEndpoint: URIRef
    PostHocEndpoint: URIRef
    AdverseEventsEndpoint: URIRef
    RegistryResults: URIRef
    Mean: URIRef
    GeometricMean: URIRef
    LeastSquaresMean: URIRef
    GeometricLeastSquaresMean: URIRef
    LogMean: URIRef
    Median: URIRef
    Count: URIRef
    CountOfUnits: URIRef
    Number: URIRef
    MeanDifference: URIRef
    LeastSquaresMeanDifference: URIRef
    MedianDifference: URIRef
    RegressionCoefficient: URIRef
    LogOddsRatio: URIRef
    LogHazardRatio: URIRef
    LogRelativeRisk: URIRef
    OtherStatistic: URIRef
    # figure semantics: classes, properties, concepts
    TimeRelation: URIRef
    DenominatorKind: URIRef
    BenefitDirection: URIRef
    timePointValue: URIRef
    timePointUnit: URIRef
    timePointRelation: URIRef
    denominatorKind: URIRef
    decimalPlaces: URIRef
    benefitDirection: URIRef
    approximate: URIRef
    approximationNote: URIRef
    countLower: URIRef
    countUpper: URIRef
    AtTimePoint: URIRef
    ByTimePoint: URIRef
    ArmDenominator: URIRef
    EvaluableDenominator: URIRef
    UnknownDenominator: URIRef
    HigherIsBetter: URIRef
    LowerIsBetter: URIRef
    CumulativeIncidence: URIRef
    TimeToEventEstimate: URIRef


for _term in EKG.__annotations__:
    # Each declared term made a class attribute: rdflib otherwise builds it on every access
    # (1.2 million times in an import of 1,000 registry records); a term not declared here
    # still goes to DefinedNamespace's lookup, and fails there.
    type.__setattr__(EKG, _term, EKG._NS[_term])


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
