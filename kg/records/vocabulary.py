"""The words a curator writes in a trial record, and the ontology terms they stand for.

One table per field, read both ways: the importer turns ``open label`` into ``ekg:OpenLabel``
and ``kg export --format record`` turns it back. The JSON Schema's enumerations are these
tables' keys (``tests/kg/records`` proves they agree), so an editor offers exactly the words the
importer knows.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef

from kg.vocab import EKG, SCHEMA

Table = Mapping[str, URIRef]

DESIGN: Table = {
    "randomized": SCHEMA.RandomizedTrial,
    "open": SCHEMA.OpenTrial,
    "single-blind": SCHEMA.SingleBlindTrial,
    "double-blind": SCHEMA.DoubleBlindedTrial,
    "triple-blind": SCHEMA.TripleBlindedTrial,
    "placebo-controlled": SCHEMA.PlaceboControlledTrial,
    "international": SCHEMA.InternationalTrial,
    "multicenter": SCHEMA.MultiCenterTrial,
    "single-center": SCHEMA.SingleCenterTrial,
}
PHASE: Table = {
    "early phase 1": EKG.EarlyPhase1,
    "phase 1": EKG.Phase1,
    "phase 1/phase 2": EKG.Phase1Phase2,
    "phase 2": EKG.Phase2,
    "phase 2b": EKG.Phase2b,
    "phase 2/phase 3": EKG.Phase2Phase3,
    "phase 3": EKG.Phase3,
    "phase 4": EKG.Phase4,
    "not applicable": EKG.PhaseNotApplicable,
}
ALLOCATION: Table = {
    "randomized": EKG.Randomized,
    "non-randomized": EKG.NonRandomized,
    "not applicable": EKG.AllocationNotApplicable,
}
MASKING: Table = {
    "open label": EKG.OpenLabel,
    "single masked": EKG.SingleBlind,
    "double masked": EKG.DoubleBlind,
    "triple masked": EKG.TripleBlind,
    "quadruple masked": EKG.QuadrupleBlind,
}
MODEL: Table = {
    "parallel": EKG.ParallelAssignment,
    "crossover": EKG.CrossoverAssignment,
    "factorial": EKG.FactorialAssignment,
    "single group": EKG.SingleGroupAssignment,
    "sequential": EKG.SequentialAssignment,
}
PURPOSE: Table = {
    "treatment": EKG.TreatmentPurpose,
    "prevention": EKG.PreventionPurpose,
    "diagnostic": EKG.DiagnosticPurpose,
    "supportive care": EKG.SupportiveCarePurpose,
    "screening": EKG.ScreeningPurpose,
    "health services research": EKG.HealthServicesResearchPurpose,
    "basic science": EKG.BasicSciencePurpose,
    "other": EKG.OtherPurpose,
}
ROLE: Table = {
    "experimental": EKG.ExperimentalArm,
    "active comparator": EKG.ActiveComparatorArm,
    "placebo comparator": EKG.PlaceboComparatorArm,
    "sham comparator": EKG.ShamComparatorArm,
    "no intervention": EKG.NoInterventionArm,
    "other": EKG.OtherArm,
}
ROUTE: Table = {"oral": EKG.OralRoute}
RANK: Table = {
    "primary": EKG.PrimaryEndpoint,
    "secondary": EKG.SecondaryEndpoint,
    "tertiary": EKG.TertiaryEndpoint,
    "other pre-specified": EKG.OtherPrespecifiedEndpoint,
    "post hoc": EKG.PostHocEndpoint,
}
BETTER: Table = {"higher": EKG.HigherIsBetter, "lower": EKG.LowerIsBetter}
REPORT_KIND: Table = {
    "primary analysis": EKG.PrimaryAnalysis,
    "follow-up analysis": EKG.FollowUpAnalysis,
    "final analysis": EKG.FinalAnalysis,
}
POPULATION: Table = {
    "intention to treat": EKG.IntentionToTreat,
    "accounting for crossover": EKG.CrossoverAdjusted,
}
MEASURE: Table = {
    "proportion": EKG.Proportion,
    "cumulative incidence": EKG.CumulativeIncidence,
    "time-to-event estimate": EKG.TimeToEventEstimate,
    "count": EKG.Count,
    "mean": EKG.Mean,
    "median": EKG.Median,
    "number": EKG.Number,
}
SHARES = frozenset({"proportion", "cumulative incidence", "time-to-event estimate"})
"""Kinds whose value is a share of the group, written as a percentage."""
DENOMINATOR: Table = {
    "arm": EKG.ArmDenominator,
    "evaluable": EKG.EvaluableDenominator,
    "unknown": EKG.UnknownDenominator,
}
RELATION: Table = {"at": EKG.AtTimePoint, "by": EKG.ByTimePoint}
STATISTIC: Table = {
    "hazard ratio": EKG.HazardRatio,
    "odds ratio": EKG.OddsRatio,
    "relative risk": EKG.RelativeRisk,
    "risk difference": EKG.RiskDifference,
    "mean difference": EKG.MeanDifference,
    "median difference": EKG.MedianDifference,
}
FINDING: Table = {
    "background": EKG.Background,
    "conclusion": EKG.Conclusion,
    "safety": EKG.SafetyFinding,
    "efficacy": EKG.EfficacyFinding,
}
SOURCE_KIND: Mapping[str, tuple[URIRef, ...]] = {
    "publication": (EKG.Publication, SCHEMA.ScholarlyArticle),
    "news": (EKG.Source, SCHEMA.NewsArticle),
    "registry record": (EKG.Source, SCHEMA.CreativeWork),
}

TABLES: Mapping[str, Table] = {
    "design": DESIGN,
    "phase": PHASE,
    "allocation": ALLOCATION,
    "masking": MASKING,
    "model": MODEL,
    "purpose": PURPOSE,
    "role": ROLE,
    "route": ROUTE,
    "rank": RANK,
    "better": BETTER,
    "report kind": REPORT_KIND,
    "population": POPULATION,
    "kind": MEASURE,
    "statistic": STATISTIC,
    "finding kind": FINDING,
}
"""Every table by the name the JSON Schema's ``$defs`` give its enumeration."""


def word(table: Table, term: object) -> str | None:
    """The record word for an ontology term (None when the table has none)."""
    for key, value in table.items():
        if str(value) == str(term):
            return key
    return None
