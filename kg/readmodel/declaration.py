"""The read model declared once: each entity's classes, and each field's predicates, conversion,
cardinality and link class.

Why one declaration: the batched reads (:mod:`kg.readmodel.read`) ask the store for the
predicates declared here and build each model object from them; the concepts shown by their
label come from here; ``tests/kg/readmodel/test_declaration.py`` checks every field against the
shapes (a single-valued field reads a property the shapes allow once, a number field one they
type as a number, a link field one whose objects they require to be of the link class) and every
model dataclass field against its declaration. The GraphQL enums are declared beside them
(:data:`ENUMS`) and made from the ontology's concept schemes, so a concept added to a scheme
appears in GraphQL, or a test says why not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Generic, Literal, TypeVar

from rdflib import URIRef

from kg.readmodel import model
from kg.vocab import EKG, PROV, RDF, RDFS, SCHEMA, SKOS

T = TypeVar("T")

Conversion = Literal[
    "text", "texts", "integer", "number", "boolean", "date", "iri", "iris", "label", "is_a", "present"
]
"""How a field's value is read from its resource's property bag:

* ``text``, ``integer``, ``number``, ``boolean``, ``date``: the first value of the first predicate
  that has one, converted (a value that does not convert is None);
* ``texts``, ``iris``: every value, sorted, as a tuple;
* ``iri``: the object's IRI (a link, loaded by the caller);
* ``label``: the object's label (a concept shown by name);
* ``is_a``: whether the resource is typed with the field's class;
* ``present``: whether the property has any value (a derived node's ``prov:wasGeneratedBy``).
"""

SINGLE: frozenset[Conversion] = frozenset(("text", "integer", "number", "boolean", "date", "iri", "label"))
"""Conversions that keep one value, which the shapes must allow only once (or the declaration
says why not: :attr:`Field.first_of_several`)."""


@dataclass(frozen=True)
class Field:
    """How one attribute of a model dataclass is read."""

    name: str
    conversion: Conversion
    predicates: tuple[URIRef, ...] = ()
    link: URIRef | None = None
    """The class the linked resource (``iri``, ``iris``, ``label``) or the resource itself
    (``is_a``) belongs to."""
    first_of_several: str | None = None
    """Why a single-valued field may read a property the shapes allow several times (the value
    it keeps is the smallest, so every read agrees)."""


def text(name: str, *predicates: URIRef, first_of_several: str | None = None) -> Field:
    return Field(name, "text", predicates, first_of_several=first_of_several)


def texts(name: str, predicate: URIRef) -> Field:
    return Field(name, "texts", (predicate,))


def integer(name: str, predicate: URIRef) -> Field:
    return Field(name, "integer", (predicate,))


def number(name: str, predicate: URIRef) -> Field:
    return Field(name, "number", (predicate,))


def boolean(name: str, predicate: URIRef) -> Field:
    return Field(name, "boolean", (predicate,))


def date(name: str, predicate: URIRef) -> Field:
    return Field(name, "date", (predicate,))


def link(name: str, predicate: URIRef, cls: URIRef | None, *, first_of_several: str | None = None) -> Field:
    return Field(name, "iri", (predicate,), cls, first_of_several=first_of_several)


def links(name: str, predicate: URIRef, cls: URIRef | None) -> Field:
    return Field(name, "iris", (predicate,), cls)


def label(name: str, predicate: URIRef, cls: URIRef | None) -> Field:
    return Field(name, "label", (predicate,), cls)


def is_a(name: str, cls: URIRef) -> Field:
    return Field(name, "is_a", (), cls)


@dataclass(frozen=True)
class Entity(Generic[T]):
    """One read-model dataclass: the ontology classes it reads, and its declared fields."""

    model: type[T]
    classes: tuple[URIRef, ...]
    fields: tuple[Field, ...]
    undeclared: Mapping[str, str] = field(default_factory=dict)
    """Model attributes filled by other reads, each with the read that fills it."""

    @property
    def predicates(self) -> list[str]:
        """Every predicate the entity's bag read asks for, in declaration order."""
        return list(dict.fromkeys(str(p) for f in self.fields for p in f.predicates))

    @property
    def labelled(self) -> set[str]:
        """Predicates whose objects come with their labels."""
        return {str(p) for f in self.fields if f.conversion == "label" for p in f.predicates}


# The entities ------------------------------------------------------------------------------------

_REGISTRY_LABELS = (
    "a study without an acronym is labelled with its registry id; ekgsh:LabelShape allows one "
    "label per language"
)

TRIAL = Entity(
    model.Trial,
    (EKG.Trial, EKG.Study),
    (
        text("short_name", SCHEMA.alternateName, first_of_several="several short names: one is shown"),
        text("label", RDFS.label, first_of_several=_REGISTRY_LABELS),
        boolean("acronym_absent", EKG.acronymAbsent),
        text("title", SCHEMA.name),
        text("official_title", EKG.officialTitle),
        is_a("is_trial", EKG.Trial),
        label("phase", EKG.phase, EKG.TrialPhase),
        label("status", EKG.overallStatus, EKG.StudyStatus),
        text("allocation_ratio", EKG.allocationRatio),
        integer("enrollment", EKG.enrollment),
        link("enrollment_status", EKG.enrollmentStatus, EKG.FigureStatus),
        integer("randomized", EKG.randomized),
        date("start_date", EKG.startDate),
        text("start_as_given", EKG.startDate),
        link("start_status", EKG.startDateStatus, EKG.FigureStatus),
        date("primary_completion_date", EKG.primaryCompletionDate),
        text("primary_completion_as_given", EKG.primaryCompletionDate,
             first_of_several="the shapes leave it to DatesInOrder; a registry gives one"),
        link("primary_completion_status", EKG.primaryCompletionDateStatus, EKG.FigureStatus),
        text("completion_as_given", EKG.completionDate,
             first_of_several="the shapes leave it to DatesInOrder; a registry gives one"),
        link("completion_status", EKG.completionDateStatus, EKG.FigureStatus),
        date("results_first_posted", EKG.resultsFirstPosted),
        text("results_first_posted_as_given", EKG.resultsFirstPosted,
             first_of_several="a registry gives one date of first posting"),
        text("crossover_rule", EKG.crossoverRule),
        link("population", EKG.population, EKG.Population),
        label("allocation", EKG.allocation, EKG.DesignConcept),
        label("masking", EKG.masking, EKG.DesignConcept),
        label("intervention_model", EKG.interventionModel, EKG.DesignConcept),
        label("primary_purpose", EKG.primaryPurpose, EKG.DesignConcept),
        label("observational_model", EKG.observationalModel, EKG.DesignConcept),
        label("time_perspective", EKG.timePerspective, EKG.DesignConcept),
        link("sponsor", SCHEMA.sponsor, SCHEMA.Organization,
             first_of_several="a registry names one lead sponsor"),
        text("description", SCHEMA.description, first_of_several="a registry gives one brief summary"),
    ),
)

REGISTRATION = Entity(
    model.Registration,
    (EKG.Registration,),
    (
        text("registry", EKG.registry),
        text("registry_id", EKG.registryId),
        label("registered_phase", EKG.registeredPhase, EKG.TrialPhase),
    ),
)

POPULATION = Entity(
    model.Population,
    (EKG.Population,),
    (
        text("label", RDFS.label),
        texts("inclusion_criteria", EKG.inclusionCriterion),
        text("eligibility_criteria", EKG.eligibilityCriteria),
        text("sex", EKG.sex, first_of_several="a registry gives one"),
        text("minimum_age", EKG.minimumAge, first_of_several="a registry gives one"),
        text("maximum_age", EKG.maximumAge, first_of_several="a registry gives one"),
        boolean("healthy_volunteers", EKG.healthyVolunteers),
    ),
)

ARM = Entity(
    model.Arm,
    (EKG.Arm,),
    (
        text("label", RDFS.label),
        link("role", EKG.armRole, EKG.ArmRole),
        integer("participants", EKG.participants),
        integer("allocation_weight", EKG.allocationWeight),
        text("description", SCHEMA.description, first_of_several="a registry gives one"),
        texts("registry_group_ids", EKG.registryGroupId),
    ),
)

INTERVENTION = Entity(
    model.Intervention,
    (EKG.Intervention,),
    (
        text("label", RDFS.label),
        link("drug", EKG.drug, EKG.Drug, first_of_several="one drug an intervention in practice"),
        number("dose_value", EKG.doseValue),
        text("dose_unit", EKG.doseUnit),
        text("dose_comparator", EKG.doseComparator),
        text("dosage_form", SCHEMA.dosageForm, first_of_several="one form in practice"),
        label("route", EKG.route, EKG.Route),
        text("frequency", EKG.frequency, first_of_several="one schedule in practice"),
        text("maximum_duration", EKG.maximumDuration),
        boolean("dose_escalation_allowed", EKG.doseEscalationAllowed),
        label("intervention_type", EKG.interventionType, EKG.InterventionType),
        boolean("placebo", EKG.placebo),
        text("description", SCHEMA.description, first_of_several="a registry gives one"),
        texts("other_names", SCHEMA.alternateName),
        text("match_note", EKG.matchNote, first_of_several="one note per link in practice"),
    ),
)

DRUG = Entity(
    model.Drug,
    (EKG.Drug,),
    (
        text("name", SCHEMA.name, RDFS.label),
        text("proprietary_name", SCHEMA.proprietaryName, first_of_several="one brand is shown"),
        link("exact_match", SKOS.exactMatch, None, first_of_several="one ChEBI entry in practice"),
    ),
)

CONDITION = Entity(
    model.Condition,
    (EKG.Condition,),
    (
        text("name", SCHEMA.name, RDFS.label),
        text("alternate_name", SCHEMA.alternateName, first_of_several="one short name is shown"),
        link("exact_match", SKOS.exactMatch, None, first_of_several="one NCIt entry in practice"),
    ),
)

ENDPOINT = Entity(
    model.Endpoint,
    (EKG.Endpoint,),
    (
        text("name", RDFS.label),
        text("alternate_name", SCHEMA.alternateName, first_of_several="one short name is shown"),
        link("kind", EKG.endpointKind, EKG.EndpointKind),
        text("definition", SKOS.definition),
        text("time_frame", EKG.timeFrame),
        text("unit", EKG.unitLabel, first_of_several="a registry gives one unit of measure"),
        link("measure_type", EKG.measureType, EKG.StatisticType),
        label("dispersion_type", EKG.dispersionType, EKG.DispersionType),
        text("population_description", EKG.populationDescription,
             first_of_several="a registry gives one population description"),
        link("benefit_direction", EKG.benefitDirection, EKG.BenefitDirection),
    ),
)

REPORT = Entity(
    model.Report,
    (EKG.Report,),
    (
        text("label", RDFS.label),
        label("kind", EKG.reportKind, EKG.ReportKind),
        link("kind_iri", EKG.reportKind, EKG.ReportKind),
        text("follow_up", EKG.followUp),
        text("minimum_follow_up", EKG.minimumFollowUp),
        link("publication", EKG.publication, EKG.Publication),
    ),
)

ARM_RESULT = Entity(
    model.ArmResult,
    (EKG.ArmResult,),
    (
        text("label", RDFS.label),
        link("arm", EKG.arm, EKG.Arm),
        link("endpoint", EKG.endpoint, EKG.Endpoint),
        link("report", EKG.report, EKG.Report),
        text("measure", EKG.measure, first_of_several="one measure in practice"),
        text("time_point", EKG.timePoint, first_of_several="one time point in practice"),
        link("analysis_population", EKG.analysisPopulation, EKG.AnalysisPopulation),
        label("analysis_population_label", EKG.analysisPopulation, EKG.AnalysisPopulation),
        number("percentage", EKG.percentage),
        number("value", RDF.value),
        text("value_as_reported", EKG.reportedText, first_of_several="one value is given"),
        link("unit", EKG.unit, None),
        integer("count", EKG.count),
        integer("denominator", EKG.denominator),
        number("dispersion", EKG.dispersion),
        text("dispersion_as_reported", EKG.dispersionText, first_of_several="one spread is given"),
        label("dispersion_type", EKG.dispersionType, EKG.DispersionType),
        number("lower_limit", EKG.lowerLimit),
        number("upper_limit", EKG.upperLimit),
        text("lower_as_reported", EKG.lowerText, first_of_several="one limit is given"),
        text("upper_as_reported", EKG.upperText, first_of_several="one limit is given"),
        number("ci_lower", EKG.ciLower),
        number("ci_upper", EKG.ciUpper),
        number("ci_level", EKG.ciLevel),
        text("category", EKG.category, first_of_several="one category a cell"),
        text("result_class", EKG.resultClass, first_of_several="one class a cell"),
        text("note", EKG.note, first_of_several="a registry gives one comment a cell"),
        Field("derived", "present", (PROV.wasGeneratedBy,)),
        link("measure_type", EKG.measureType, EKG.StatisticType),
        number("time_point_value", EKG.timePointValue),
        link("time_point_unit", EKG.timePointUnit, None),
        link("time_point_relation", EKG.timePointRelation, EKG.TimeRelation),
        link("denominator_kind", EKG.denominatorKind, EKG.DenominatorKind),
        integer("decimal_places", EKG.decimalPlaces),
    ),
    undeclared={
        "approximate_count_lower": "read_arm_results (the derived approximate count)",
        "approximate_count_upper": "read_arm_results (the derived approximate count)",
        "approximate_count": "read_arm_results (the derived approximate count)",
        "approximate_denominator": "read_arm_results (the derived approximate count)",
        "approximate_computation": "read_arm_results (the derived approximate count)",
    },
)

COMPARISON = Entity(
    model.Comparison,
    (EKG.Comparison,),
    (
        text("label", RDFS.label),
        link("endpoint", EKG.endpoint, EKG.Endpoint),
        link("report", EKG.report, EKG.Report),
        link("intervention", EKG.intervention, EKG.Arm),
        link("comparator", EKG.comparator, EKG.Arm),
        link("intervention_result", EKG.interventionResult, EKG.ArmResult,
             first_of_several="one result a side in practice"),
        link("comparator_result", EKG.comparatorResult, EKG.ArmResult,
             first_of_several="one result a side in practice"),
        link("analysis_population", EKG.analysisPopulation, EKG.AnalysisPopulation),
        label("analysis_population_label", EKG.analysisPopulation, EKG.AnalysisPopulation),
        text("analysis_method", EKG.analysisMethod),
        number("p_value", EKG.pValue),
        text("p_value_comparator", EKG.pValueComparator),
        boolean("significant", EKG.significant),
        link("significance_assessment", EKG.significanceAssessment, EKG.SignificanceAssessment),
        links("compared_arms", EKG.comparedArm, EKG.Arm),
        text("p_value_as_reported", EKG.pValueText, first_of_several="one p-value is given"),
        label("hypothesis", EKG.hypothesisType, EKG.HypothesisType),
        text("hypothesis_note", EKG.hypothesisNote, first_of_several="a registry gives one"),
        texts("notes", EKG.note),
    ),
)

ESTIMATE = Entity(
    model.EffectEstimate,
    (EKG.EffectEstimate,),
    (
        text("label", RDFS.label),
        link("statistic", EKG.statistic, EKG.StatisticType),
        number("value", RDF.value),
        number("ci_lower", EKG.ciLower),
        number("ci_upper", EKG.ciUpper),
        number("ci_level", EKG.ciLevel),
        link("computation", PROV.wasGeneratedBy, EKG.Computation),
        text("statistic_as_reported", EKG.statisticText),
        text("value_as_reported", EKG.reportedText, first_of_several="one value is given"),
        text("lower_as_reported", EKG.lowerText, first_of_several="one limit is given"),
        text("upper_as_reported", EKG.upperText, first_of_several="one limit is given"),
        text("ci_sides", EKG.ciSides),
        number("dispersion", EKG.dispersion),
        text("dispersion_as_reported", EKG.dispersionText, first_of_several="one spread is given"),
        label("dispersion_type", EKG.dispersionType, EKG.DispersionType),
        texts("notes", EKG.note),
        boolean("approximate", EKG.approximate),
        text("approximation_note", EKG.approximationNote),
    ),
)

SIGNIFICANCE = Entity(
    model.SignificanceAssessment,
    (EKG.SignificanceAssessment,),
    (
        text("label", RDFS.label),
        boolean("significant", RDF.value),
        number("level", EKG.significanceLevel),
        link("computation", PROV.wasGeneratedBy, EKG.Computation),
    ),
)

SOURCE = Entity(
    model.SourceDocument,
    (EKG.Source, EKG.Publication),
    (
        is_a("is_publication", EKG.Publication),
        text("key", EKG.sourceKey),
        text("label", RDFS.label),
        text("title", SCHEMA.name, first_of_several="one title in practice"),
        text("doi", EKG.doi),
        text("date_published", SCHEMA.datePublished),
        label("journal", SCHEMA.isPartOf, SCHEMA.Periodical),
        text("url", SCHEMA.url, SCHEMA.sameAs, first_of_several="a page, else the first of its links"),
        link("about", SCHEMA.about, None, first_of_several="one document summarized in practice"),
        text("pmid", EKG.pmid),
        text("record_version", EKG.recordVersion),
    ),
)

CROSSOVER = Entity(
    model.CrossoverResult,
    (EKG.CrossoverResult,),
    (
        text("label", RDFS.label),
        link("arm", EKG.arm, EKG.Arm),
        link("crossover_to", EKG.crossoverTo, EKG.Arm),
        link("report", EKG.report, EKG.Report),
        integer("count", EKG.count),
        number("percentage", EKG.percentage),
        number("median_months", EKG.medianTimeToCrossoverMonths),
    ),
)

FINDING = Entity(
    model.Finding,
    (EKG.Finding,),
    (
        text("label", RDFS.label),
        label("kind", EKG.findingKind, EKG.FindingKind),
        text("statement", EKG.statement),
        link("about", EKG.about, None, first_of_several="one subject in practice"),
    ),
)

REFERENCE = Entity(
    model.Reference,
    (EKG.Reference,),
    (
        label("reference_type", EKG.referenceType, EKG.ReferenceType),
        text("citation", EKG.citation),
        link("publication", EKG.cites, EKG.Publication),
    ),
)

ORGANIZATION = Entity(
    model.Organization,
    (SCHEMA.Organization,),
    (text("name", SCHEMA.name, RDFS.label, first_of_several="one name is shown"),),
)

ENTITIES: tuple[Entity[Any], ...] = (
    TRIAL, REGISTRATION, POPULATION, ARM, INTERVENTION, DRUG, CONDITION, ENDPOINT, REPORT,
    ARM_RESULT, COMPARISON, ESTIMATE, SIGNIFICANCE, SOURCE, CROSSOVER, FINDING, REFERENCE,
    ORGANIZATION,
)


def declared_attributes(entity: Entity[Any]) -> set[str]:
    """The model attributes the declaration fills, and those other reads fill."""
    return {"id"} | {f.name for f in entity.fields} | set(entity.undeclared)


def model_attributes(entity: Entity[Any]) -> set[str]:
    return {f.name for f in fields(entity.model)}


# GraphQL enums from the concept schemes ----------------------------------------------------------


@dataclass(frozen=True)
class ConceptEnum:
    """A GraphQL enum whose values are the concepts of one ontology concept scheme.

    A value's name is the concept's local name in capitals with words joined by underscores,
    less a suffix the scheme's concepts share (``ExperimentalArm`` -> ``EXPERIMENTAL``), unless
    :attr:`names` gives it one; :attr:`first` keeps the values the public schema had first in
    their place, so orderings that follow the enum do not change.
    """

    name: str
    scheme: URIRef
    description: str
    strip_suffix: str = ""
    names: Mapping[URIRef, str] = field(default_factory=dict)
    first: tuple[str, ...] = ()


def enum_name(concept: URIRef, spec: ConceptEnum) -> str:
    """The GraphQL name of a concept in ``spec``.

    >>> enum_name(EKG.ActiveComparatorArm, ENUMS["ArmRole"]), enum_name(EKG.OddsRatio, ENUMS["StatisticType"])
    ('ACTIVE_COMPARATOR', 'ODDS_RATIO')
    """
    if concept in spec.names:
        return spec.names[concept]
    local = str(concept).rsplit("/", 1)[-1]
    if spec.strip_suffix and local.endswith(spec.strip_suffix) and local != spec.strip_suffix:
        local = local[: -len(spec.strip_suffix)]
    words: list[str] = []
    for char in local:
        if char.isupper() and words and not words[-1].isupper():
            words.append("_")
        words.append(char)
    return "".join(words).upper().replace("__", "_")


_SCHEMES = "https://w3id.org/evidence-kg/ontology/"

ENUMS: dict[str, ConceptEnum] = {
    "EndpointKind": ConceptEnum(
        "EndpointKind",
        URIRef(_SCHEMES + "EndpointKinds"),
        "The rank of an endpoint in the trial protocol.",
        strip_suffix="Endpoint",
        names={EKG.OtherPrespecifiedEndpoint: "OTHER_PRE_SPECIFIED"},
        first=("PRIMARY", "SECONDARY", "TERTIARY"),
    ),
    "ArmRole": ConceptEnum(
        "ArmRole",
        URIRef(_SCHEMES + "ArmRoles"),
        "The part an arm plays in the trial's comparison.",
        strip_suffix="Arm",
        first=("EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR"),
    ),
    "BenefitDirection": ConceptEnum(
        "BenefitDirection",
        URIRef(_SCHEMES + "BenefitDirections"),
        "Which way an endpoint's figures are better for patients.",
    ),
    "TimeRelation": ConceptEnum(
        "TimeRelation",
        URIRef(_SCHEMES + "TimeRelations"),
        "Whether a figure holds at its time point (a status then) or by it (up to then).",
        strip_suffix="TimePoint",
    ),
    "DenominatorKind": ConceptEnum(
        "DenominatorKind",
        URIRef(_SCHEMES + "DenominatorKinds"),
        "Whom a figure is out of.",
        strip_suffix="Denominator",
    ),
    "StatisticType": ConceptEnum(
        "StatisticType",
        URIRef(_SCHEMES + "StatisticTypes"),
        "The kind of statistic an effect estimate (or an endpoint's per-arm figure) is.",
        names={EKG.OtherStatistic: "OTHER"},
        first=("RISK_DIFFERENCE", "RELATIVE_RISK", "ODDS_RATIO", "HAZARD_RATIO", "PROPORTION"),
    ),
}
"""The GraphQL enums made from concept schemes, by GraphQL name."""

