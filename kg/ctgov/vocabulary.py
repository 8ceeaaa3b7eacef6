"""The registry's coded values as the ontology's concepts.

ClinicalTrials.gov API v2 writes enumerations in capitals (``RANDOMIZED``, ``STANDARD_DEVIATION``);
older records, such as those the AACT project keeps, write the same values as display text
(``"Standard Deviation"``, ``"95% Confidence Interval"``). :func:`code` folds both to one key.
Each table maps the registry's values for one field to concepts of one scheme in
``ontology/evidence.ttl``; ``tests/kg/ctgov/test_vocabulary.py`` proves every concept named here
is declared in its scheme and every value of the registry's enumerations is mapped.

A statistical analysis's ``paramType`` is free text ("Odds Ratio (OR)", "Mean Difference (Final
Values)", "Hazard Ratio, log"): :func:`statistic_type` matches it to a statistic type where one
exists, and the text itself is always kept (``ekg:statisticText``).
"""

from __future__ import annotations

import re

from rdflib import URIRef

from kg.vocab import EKG, SCHEMA


def code(raw: object) -> str | None:
    """A registry value as an enumeration key: capitals, words joined by underscores.

    >>> code("Standard Deviation"), code("STANDARD_DEVIATION"), code("Inter-Quartile Range")
    ('STANDARD_DEVIATION', 'STANDARD_DEVIATION', 'INTER_QUARTILE_RANGE')
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    return re.sub(r"[^A-Z0-9]+", "_", raw.strip().upper()).strip("_")


STATUS: dict[str, URIRef] = {
    "NOT_YET_RECRUITING": EKG.NotYetRecruiting,
    "RECRUITING": EKG.Recruiting,
    "ENROLLING_BY_INVITATION": EKG.EnrollingByInvitation,
    "ACTIVE_NOT_RECRUITING": EKG.ActiveNotRecruiting,
    "SUSPENDED": EKG.Suspended,
    "TERMINATED": EKG.Terminated,
    "COMPLETED": EKG.Completed,
    "WITHDRAWN": EKG.Withdrawn,
    "UNKNOWN": EKG.UnknownStatus,
    "AVAILABLE": EKG.Available,
    "NO_LONGER_AVAILABLE": EKG.NoLongerAvailable,
    "TEMPORARILY_NOT_AVAILABLE": EKG.TemporarilyNotAvailable,
    "APPROVED_FOR_MARKETING": EKG.ApprovedForMarketing,
    "WITHHELD": EKG.Withheld,
}

FIGURE_STATUS: dict[str, URIRef] = {
    "ACTUAL": EKG.Actual,
    "ESTIMATED": EKG.Anticipated,
    "ANTICIPATED": EKG.Anticipated,
}

PHASE: dict[tuple[str, ...], URIRef] = {
    ("EARLY_PHASE1",): EKG.EarlyPhase1,
    ("PHASE1",): EKG.Phase1,
    ("PHASE1", "PHASE2"): EKG.Phase1Phase2,
    ("PHASE2",): EKG.Phase2,
    ("PHASE2", "PHASE3"): EKG.Phase2Phase3,
    ("PHASE3",): EKG.Phase3,
    ("PHASE4",): EKG.Phase4,
    ("NA",): EKG.PhaseNotApplicable,
}
"""A record's list of phases (sorted) as one phase: the registry lists two for phase 1/2."""

ALLOCATION: dict[str, URIRef] = {
    "RANDOMIZED": EKG.Randomized,
    "NON_RANDOMIZED": EKG.NonRandomized,
    "NA": EKG.AllocationNotApplicable,
    "N_A": EKG.AllocationNotApplicable,
}

INTERVENTION_MODEL: dict[str, URIRef] = {
    "SINGLE_GROUP": EKG.SingleGroupAssignment,
    "SINGLE_GROUP_ASSIGNMENT": EKG.SingleGroupAssignment,
    "PARALLEL": EKG.ParallelAssignment,
    "PARALLEL_ASSIGNMENT": EKG.ParallelAssignment,
    "CROSSOVER": EKG.CrossoverAssignment,
    "CROSSOVER_ASSIGNMENT": EKG.CrossoverAssignment,
    "FACTORIAL": EKG.FactorialAssignment,
    "FACTORIAL_ASSIGNMENT": EKG.FactorialAssignment,
    "SEQUENTIAL": EKG.SequentialAssignment,
    "SEQUENTIAL_ASSIGNMENT": EKG.SequentialAssignment,
}

MASKING: dict[str, URIRef] = {
    "NONE": EKG.OpenLabel,
    "NONE_OPEN_LABEL": EKG.OpenLabel,
    "SINGLE": EKG.SingleBlind,
    "DOUBLE": EKG.DoubleBlind,
    "TRIPLE": EKG.TripleBlind,
    "QUADRUPLE": EKG.QuadrupleBlind,
}

MASKING_DESIGN: dict[URIRef, URIRef] = {
    EKG.OpenLabel: SCHEMA.OpenTrial,
    EKG.SingleBlind: SCHEMA.SingleBlindTrial,
    EKG.DoubleBlind: SCHEMA.DoubleBlindedTrial,
    EKG.TripleBlind: SCHEMA.TripleBlindedTrial,
}
"""schema.org's design type for a masking (it has none for quadruple masking)."""

PRIMARY_PURPOSE: dict[str, URIRef] = {
    "TREATMENT": EKG.TreatmentPurpose,
    "PREVENTION": EKG.PreventionPurpose,
    "DIAGNOSTIC": EKG.DiagnosticPurpose,
    "SUPPORTIVE_CARE": EKG.SupportiveCarePurpose,
    "SCREENING": EKG.ScreeningPurpose,
    "HEALTH_SERVICES_RESEARCH": EKG.HealthServicesResearchPurpose,
    "BASIC_SCIENCE": EKG.BasicSciencePurpose,
    "DEVICE_FEASIBILITY": EKG.DeviceFeasibilityPurpose,
    "ECT": EKG.EducationalPurpose,
    "EDUCATIONAL_COUNSELING_TRAINING": EKG.EducationalPurpose,
    "OTHER": EKG.OtherPurpose,
}

OBSERVATIONAL_MODEL: dict[str, URIRef] = {
    "COHORT": EKG.CohortModel,
    "CASE_CONTROL": EKG.CaseControlModel,
    "CASE_ONLY": EKG.CaseOnlyModel,
    "CASE_CROSSOVER": EKG.CaseCrossoverModel,
    "ECOLOGIC_OR_COMMUNITY": EKG.EcologicModel,
    "FAMILY_BASED": EKG.FamilyBasedModel,
    "DEFINED_POPULATION": EKG.DefinedPopulationModel,
    "NATURAL_HISTORY": EKG.NaturalHistoryModel,
    "OTHER": EKG.OtherObservationalModel,
}

TIME_PERSPECTIVE: dict[str, URIRef] = {
    "PROSPECTIVE": EKG.Prospective,
    "RETROSPECTIVE": EKG.Retrospective,
    "CROSS_SECTIONAL": EKG.CrossSectional,
    "OTHER": EKG.OtherTimePerspective,
}

ARM_ROLE: dict[str, URIRef] = {
    "EXPERIMENTAL": EKG.ExperimentalArm,
    "ACTIVE_COMPARATOR": EKG.ActiveComparatorArm,
    "PLACEBO_COMPARATOR": EKG.PlaceboComparatorArm,
    "SHAM_COMPARATOR": EKG.ShamComparatorArm,
    "NO_INTERVENTION": EKG.NoInterventionArm,
    "OTHER": EKG.OtherArm,
}

COMPARATOR_ROLES = frozenset(
    {EKG.ActiveComparatorArm, EKG.PlaceboComparatorArm, EKG.ShamComparatorArm, EKG.NoInterventionArm}
)
"""Roles of the reference arm of a comparison."""

INTERVENTION_TYPE: dict[str, URIRef] = {
    "DRUG": EKG.DrugIntervention,
    "BIOLOGICAL": EKG.BiologicalIntervention,
    "DEVICE": EKG.DeviceIntervention,
    "PROCEDURE": EKG.ProcedureIntervention,
    "PROCEDURE_SURGERY": EKG.ProcedureIntervention,
    "RADIATION": EKG.RadiationIntervention,
    "BEHAVIORAL": EKG.BehavioralIntervention,
    "GENETIC": EKG.GeneticIntervention,
    "DIETARY_SUPPLEMENT": EKG.DietarySupplementIntervention,
    "COMBINATION_PRODUCT": EKG.CombinationProductIntervention,
    "DIAGNOSTIC_TEST": EKG.DiagnosticTestIntervention,
    "OTHER": EKG.OtherIntervention,
}

DRUG_TYPES = frozenset({EKG.DrugIntervention, EKG.BiologicalIntervention})
"""Intervention types whose substance is a :class:`ekg:Drug`."""

REFERENCE_TYPE: dict[str, URIRef] = {
    "RESULT": EKG.ResultReference,
    "BACKGROUND": EKG.BackgroundReference,
    "DERIVED": EKG.DerivedReference,
}

ENDPOINT_KIND: dict[str, URIRef] = {
    "PRIMARY": EKG.PrimaryEndpoint,
    "SECONDARY": EKG.SecondaryEndpoint,
    "OTHER_PRE_SPECIFIED": EKG.OtherPrespecifiedEndpoint,
    "POST_HOC": EKG.PostHocEndpoint,
}

MEASURE_TYPE: dict[str, URIRef] = {
    "MEAN": EKG.Mean,
    "GEOMETRIC_MEAN": EKG.GeometricMean,
    "LEAST_SQUARES_MEAN": EKG.LeastSquaresMean,
    "GEOMETRIC_LEAST_SQUARES_MEAN": EKG.GeometricLeastSquaresMean,
    "LOG_MEAN": EKG.LogMean,
    "MEDIAN": EKG.Median,
    "NUMBER": EKG.Number,
    "COUNT_OF_PARTICIPANTS": EKG.Count,
    "COUNT_OF_UNITS": EKG.CountOfUnits,
}

HYPOTHESIS_TYPE: dict[str, URIRef] = {
    "SUPERIORITY": EKG.Superiority,
    "NON_INFERIORITY": EKG.NonInferiority,
    "EQUIVALENCE": EKG.Equivalence,
    "NON_INFERIORITY_OR_EQUIVALENCE": EKG.NonInferiorityOrEquivalence,
    "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY": EKG.NonInferiorityOrEquivalence,
    "SUPERIORITY_OR_OTHER": EKG.SuperiorityOrOther,
    "SUPERIORITY_OR_OTHER_LEGACY": EKG.SuperiorityOrOther,
    "OTHER": EKG.OtherHypothesis,
}

_DISPERSION: dict[str, URIRef] = {
    "STANDARD_DEVIATION": EKG.StandardDeviation,
    "STANDARD_ERROR": EKG.StandardError,
    "STANDARD_ERROR_OF_MEAN": EKG.StandardError,
    "STANDARD_ERROR_OF_THE_MEAN": EKG.StandardError,
    "INTER_QUARTILE_RANGE": EKG.InterquartileRange,
    "INTERQUARTILE_RANGE": EKG.InterquartileRange,
    "FULL_RANGE": EKG.FullRange,
    "GEOMETRIC_COEFFICIENT": EKG.GeometricCoefficientOfVariation,
    "GEOMETRIC_COEFFICIENT_OF_VARIATION": EKG.GeometricCoefficientOfVariation,
}

_CONFIDENCE = re.compile(r"^(?:CONFIDENCE_(\d+(?:_\d+)?)|(\d+(?:_\d+)?)_CONFIDENCE_INTERVAL)$")
_CONFIDENCE_ENUM = {"80": "80", "90": "90", "95": "95", "975": "97.5", "99": "99"}


def dispersion_type(raw: object) -> tuple[URIRef | None, str | None]:
    """A measure's dispersion type, and for a confidence interval its level in percent.

    >>> dispersion_type("95% Confidence Interval")[1], dispersion_type("CONFIDENCE_975")[1]
    ('95', '97.5')
    >>> dispersion_type("NA"), dispersion_type("Standard Deviation")[0].rsplit("/")[-1]
    ((None, None), 'StandardDeviation')
    """
    key = code(raw)
    if key is None or key in ("NA", "N_A", "CONFIDENCE_OTHER"):
        return (EKG.ConfidenceInterval, None) if key == "CONFIDENCE_OTHER" else (None, None)
    if key in _DISPERSION:
        return _DISPERSION[key], None
    match = _CONFIDENCE.match(key)
    if match:
        if match.group(1) is not None:
            level = _CONFIDENCE_ENUM.get(match.group(1), match.group(1).replace("_", "."))
        else:
            level = match.group(2).replace("_", ".")
        return EKG.ConfidenceInterval, level
    return None, None


_STATISTICS: tuple[tuple[re.Pattern[str], URIRef], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), concept)
    for pattern, concept in (
        (r"^odds ratio.*\blog\b|^log.*odds ratio", EKG.LogOddsRatio),
        (r"^hazard ratio.*\blog\b|^log.*hazard ratio", EKG.LogHazardRatio),
        (r"^(risk|relative risk) ratio.*\blog\b|^log.*(risk ratio|relative risk)", EKG.LogRelativeRisk),
        (r"^odds ratio\b", EKG.OddsRatio),
        (r"^(hazard ratio\b|cox proportional hazard)", EKG.HazardRatio),
        (r"^(risk ratio\b|relative risk\b)", EKG.RelativeRisk),
        (r"^risk difference\b", EKG.RiskDifference),
        (r"^(ls|least[- ]squares?) mean difference\b", EKG.LeastSquaresMeanDifference),
        (r"^mean difference\b", EKG.MeanDifference),
        (r"^median difference\b", EKG.MedianDifference),
        (r"^slope\b|^regression coefficient\b", EKG.RegressionCoefficient),
    )
)


def statistic_type(raw: object) -> URIRef:
    """A statistical analysis's free-text ``paramType`` as a statistic type; text no standard
    type matches (``"Difference"``, ``"Other"``) is :data:`EKG.OtherStatistic`.

    >>> [statistic_type(t).rsplit("/")[-1] for t in (
    ...     "Odds Ratio (OR)", "Hazard Ratio, log", "Mean Difference (Final Values)",
    ...     "LS Mean Difference", "Difference", "Cox Proportional Hazard")]
    ['OddsRatio', 'LogHazardRatio', 'MeanDifference', 'LeastSquaresMeanDifference', 'OtherStatistic', 'HazardRatio']
    """
    if isinstance(raw, str):
        text = raw.strip()
        for pattern, concept in _STATISTICS:
            if pattern.search(text):
                return concept
    return EKG.OtherStatistic
