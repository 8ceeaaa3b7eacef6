"""The read model: plain, typed views of the graph's resources, one dataclass per class.

Why a read model between the graph and GraphQL: resolvers get typed values (``int``,
``float``, ``date``), never RDF terms, and the SPARQL that fills them lives in ``kg`` where it
can be tested without HTTP. Links to other resources are IRIs; the caller loads them in batches.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Trial:
    """A trial, or a study a registry records (the GraphQL ``Trial`` serves both)."""

    id: str
    short_name: str | None = None
    """schema:alternateName: the acronym the source gives."""
    label: str | None = None
    acronym_absent: bool | None = None
    title: str | None = None
    official_title: str | None = None
    is_trial: bool = True
    """False for a study that is not a trial (an observational study a registry records)."""
    phase: str | None = None
    status: str | None = None
    allocation_ratio: str | None = None
    enrollment: int | None = None
    enrollment_status: str | None = None
    """IRI of the ekg:FigureStatus concept (actual or anticipated)."""
    randomized: int | None = None
    start_date: datetime.date | None = None
    start_as_given: str | None = None
    start_status: str | None = None
    primary_completion_date: datetime.date | None = None
    primary_completion_as_given: str | None = None
    primary_completion_status: str | None = None
    completion_as_given: str | None = None
    completion_status: str | None = None
    results_first_posted: datetime.date | None = None
    results_first_posted_as_given: str | None = None
    crossover_rule: str | None = None
    population: str | None = None
    allocation: str | None = None
    masking: str | None = None
    intervention_model: str | None = None
    primary_purpose: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    sponsor: str | None = None
    """IRI of the sponsoring schema:Organization."""
    description: str | None = None

    @property
    def acronym(self) -> str | None:
        """The acronym, else the label, unless the source says it has none (then the label is
        only the registry id)."""
        if self.short_name is not None:
            return self.short_name
        return None if self.acronym_absent else self.label


@dataclass(frozen=True)
class Registration:
    id: str
    registry: str | None = None
    registry_id: str | None = None
    registered_phase: str | None = None


@dataclass(frozen=True)
class Population:
    id: str
    label: str | None = None
    inclusion_criteria: tuple[str, ...] = ()
    eligibility_criteria: str | None = None
    sex: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    healthy_volunteers: bool | None = None


@dataclass(frozen=True)
class Arm:
    id: str
    label: str | None = None
    role: str | None = None
    """IRI of the ekg:ArmRole concept."""
    participants: int | None = None
    allocation_weight: int | None = None
    description: str | None = None
    registry_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intervention:
    id: str
    label: str | None = None
    drug: str | None = None
    dose_value: float | None = None
    dose_unit: str | None = None
    dose_comparator: str | None = None
    dosage_form: str | None = None
    route: str | None = None
    frequency: str | None = None
    maximum_duration: str | None = None
    dose_escalation_allowed: bool | None = None
    intervention_type: str | None = None
    """Label of the ekg:InterventionType concept."""
    placebo: bool | None = None
    description: str | None = None
    other_names: tuple[str, ...] = ()
    match_note: str | None = None


@dataclass(frozen=True)
class Xref:
    """A code for a resource in another vocabulary (ChEBI, DrugBank, NCIt, ...)."""

    scheme: str | None
    code: str
    iri: str | None = None


@dataclass(frozen=True)
class Drug:
    id: str
    name: str | None = None
    proprietary_name: str | None = None
    exact_match: str | None = None


@dataclass(frozen=True)
class Condition:
    id: str
    name: str | None = None
    alternate_name: str | None = None
    exact_match: str | None = None


@dataclass(frozen=True)
class Endpoint:
    id: str
    name: str | None = None
    alternate_name: str | None = None
    kind: str | None = None
    """IRI of the ekg:EndpointKind concept."""
    definition: str | None = None
    time_frame: str | None = None
    unit: str | None = None
    """The unit in the source's words (ekg:unitLabel)."""
    measure_type: str | None = None
    """IRI of the ekg:StatisticType concept the endpoint's figures are."""
    dispersion_type: str | None = None
    """Label of the ekg:DispersionType concept."""
    population_description: str | None = None
    benefit_direction: str | None = None
    """IRI of the ekg:BenefitDirection concept: which way the figures are better."""


@dataclass(frozen=True)
class Report:
    id: str
    label: str | None = None
    kind: str | None = None
    """Label of the ekg:ReportKind concept."""
    kind_iri: str | None = None
    follow_up: str | None = None
    minimum_follow_up: str | None = None
    publication: str | None = None


@dataclass(frozen=True)
class ArmResult:
    """A reported figure for one arm; ``approximate_*`` come from a derived count, if any."""

    id: str
    label: str | None = None
    arm: str | None = None
    endpoint: str | None = None
    report: str | None = None
    measure: str | None = None
    time_point: str | None = None
    analysis_population: str | None = None
    analysis_population_label: str | None = None
    percentage: float | None = None
    value: float | None = None
    """A measured value (rdf:value: a mean, a median, a number), when the figure is not a
    percentage or a count."""
    value_as_reported: str | None = None
    unit: str | None = None
    count: int | None = None
    denominator: int | None = None
    dispersion: float | None = None
    dispersion_as_reported: str | None = None
    dispersion_type: str | None = None
    """Label of the ekg:DispersionType concept."""
    lower_limit: float | None = None
    """The lower end of a range, or of a confidence interval (then ``ci_level`` is set)."""
    upper_limit: float | None = None
    lower_as_reported: str | None = None
    upper_as_reported: str | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    ci_level: float | None = None
    category: str | None = None
    result_class: str | None = None
    note: str | None = None
    derived: bool = False
    measure_type: str | None = None
    """IRI of the ekg:StatisticType concept the figure is (else its endpoint's says)."""
    time_point_value: float | None = None
    time_point_unit: str | None = None
    """QUDT unit IRI of ``time_point_value``."""
    time_point_relation: str | None = None
    """IRI of the ekg:TimeRelation concept (at or by the time point)."""
    denominator_kind: str | None = None
    """IRI of the ekg:DenominatorKind concept."""
    decimal_places: int | None = None
    approximate_count: int | None = None
    approximate_count_lower: int | None = None
    approximate_count_upper: int | None = None
    approximate_denominator: int | None = None
    approximate_computation: str | None = None
    """The ekg:Computation that derived the approximate count, if any."""


@dataclass(frozen=True)
class Comparison:
    id: str
    label: str | None = None
    endpoint: str | None = None
    report: str | None = None
    intervention: str | None = None
    comparator: str | None = None
    intervention_result: str | None = None
    comparator_result: str | None = None
    analysis_population: str | None = None
    analysis_population_label: str | None = None
    analysis_method: str | None = None
    p_value: float | None = None
    p_value_comparator: str | None = None
    significant: bool | None = None
    significance_assessment: str | None = None
    """The derived ekg:SignificanceAssessment, when the source gives a p-value but no verdict."""
    compared_arms: tuple[str, ...] = ()
    """For an analysis of other than two groups: the arms it compares."""
    p_value_as_reported: str | None = None
    hypothesis: str | None = None
    """Label of the ekg:HypothesisType concept."""
    hypothesis_note: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatisticalMethod:
    id: str
    name: str | None = None
    definition: str | None = None


@dataclass(frozen=True)
class EffectEstimate:
    id: str
    label: str | None = None
    statistic: str | None = None
    """IRI of the ekg:StatisticType concept."""
    value: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    ci_level: float | None = None
    computation: str | None = None
    """The ekg:Computation that generated the estimate; None for a reported estimate."""
    statistic_as_reported: str | None = None
    value_as_reported: str | None = None
    lower_as_reported: str | None = None
    upper_as_reported: str | None = None
    ci_sides: str | None = None
    dispersion: float | None = None
    dispersion_as_reported: str | None = None
    dispersion_type: str | None = None
    notes: tuple[str, ...] = ()
    approximate: bool | None = None
    """True when derived from counts reconstructed from rounded percentages (never pool it)."""
    approximation_note: str | None = None

    @property
    def derived(self) -> bool:
        return self.computation is not None


@dataclass(frozen=True)
class SignificanceAssessment:
    """This software's verdict on a comparison's significance, with the rule it applied."""

    id: str
    label: str | None = None
    significant: bool | None = None
    level: float | None = None
    computation: str | None = None
    """The ekg:Computation that made the verdict (its method is read by the method loader)."""


@dataclass(frozen=True)
class Reference:
    """A registry record's citation of a publication, with why it cites it."""

    id: str
    reference_type: str | None = None
    """Label of the ekg:ReferenceType concept."""
    citation: str | None = None
    publication: str | None = None


@dataclass(frozen=True)
class Organization:
    id: str
    name: str | None = None


@dataclass(frozen=True)
class Author:
    id: str
    name: str | None
    position: int


@dataclass(frozen=True)
class SourceDocument:
    """A document facts rest on; ``is_publication`` for scholarly articles with a DOI."""

    id: str
    is_publication: bool = False
    key: str | None = None
    label: str | None = None
    title: str | None = None
    doi: str | None = None
    date_published: str | None = None
    journal: str | None = None
    url: str | None = None
    about: str | None = None
    pmid: str | None = None
    record_version: str | None = None
    """The version of a registry record a source is (the date of its last posted update)."""


@dataclass(frozen=True)
class Derivation:
    """One source a fact rests on, with what it rests on in the curators' words."""

    subject: str
    source: str
    statement: str | None = None
    pointer: str | None = None
    """Where in a registry record the fact stands (a JSON pointer), for an imported fact."""


@dataclass(frozen=True)
class CrossoverResult:
    id: str
    label: str | None = None
    arm: str | None = None
    crossover_to: str | None = None
    report: str | None = None
    count: int | None = None
    percentage: float | None = None
    median_months: float | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    label: str | None = None
    kind: str | None = None
    statement: str | None = None
    about: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of a listing: item IRIs with their opaque cursors."""

    items: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(IRI, cursor) pairs in order."""
    has_next_page: bool = False
    total: int | None = None
    """How many items the whole listing holds, when the page was cut from it whole."""
