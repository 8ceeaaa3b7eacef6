# strawberry's decorators are untyped without its mypy plugin, which pyproject does not enable;
# the concept-scheme enums are classes made at import (api/graphql/enums.py), which mypy cannot
# check as annotations.
# mypy: disable-error-code="untyped-decorator,valid-type"
"""GraphQL object types: the public shape of the evidence graph.

IDs are the resources' IRIs. Each type is built from a :mod:`kg.readmodel.model` dataclass; its
links to other resources are resolved through the request's DataLoaders, so nested queries cost
a fixed number of store queries whatever the number of trials. Names here are a public contract:
extend, never rename.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable, Iterable, Sequence
from enum import Enum
from typing import Any

import strawberry

from api.graphql.context import EvidenceContext
from api.graphql.enums import (
    ARM_ROLE,
    BENEFIT_DIRECTION,
    DENOMINATOR_KIND,
    ENDPOINT_KIND,
    STATISTIC_TYPE,
    TIME_RELATION,
)
from api.graphql.loaders import then
from kg.readmodel import model
from kg.readmodel.read import ekg
from kg.vocab import EKG, QUDT_UNIT, SCHEMA

Info = strawberry.Info[EvidenceContext, None]


def _iri(term: object) -> str:
    return str(term)


async def _all(loads: Iterable[Awaitable[Any]]) -> list[Any]:
    """What each of ``loads`` (DataLoader futures) gives, in order.

    Why not ``load_many`` (``asyncio.gather``): the keys of one call share a batch, so once the
    first is awaited the others are done and awaiting them costs nothing, where a gather adds a
    callback for each and a wake-up for the whole; a 50-trial page makes about 600 such calls.
    """
    pending = list(loads)  # every key asked for before the first await: one batch
    return [await load for load in pending]


async def _many(loader: Any, keys: Sequence[str]) -> list[Any]:
    """Load ``keys`` through ``loader``, dropping those the graph does not describe."""
    if not keys:
        return []
    return [value for value in await _all(map(loader.load, keys)) if value is not None]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


async def _links(info: Info, subject: str, predicate: object) -> list[str]:
    found: list[str] = await info.context.loaders.links.load((subject, _iri(predicate)))
    return found


async def _backlinks(info: Info, target: str, predicate: object, cls: object) -> list[str]:
    found: list[str] = await info.context.loaders.backlinks.load(
        (target, _iri(predicate), _iri(cls))
    )
    return found


async def _backlinks_many(
    info: Info, targets: Sequence[str], predicate: object, cls: object
) -> list[str]:
    """Subjects linking to any of ``targets``, in one batch (never one await per target)."""
    keys = [(target, _iri(predicate), _iri(cls)) for target in targets]
    found: list[list[str]] = await _all(map(info.context.loaders.backlinks.load, keys))
    return _unique(iri for subjects in found for iri in subjects)


# Enums -------------------------------------------------------------------------------------------


# The concept-scheme enums are made from the ontology (api/graphql/enums.py); these names are
# what the schema and the rest of the API call them.
EndpointKind = ENDPOINT_KIND.enum
ArmRole = ARM_ROLE.enum
StatisticType = STATISTIC_TYPE.enum
BenefitDirection = BENEFIT_DIRECTION.enum
TimeRelation = TIME_RELATION.enum
DenominatorKind = DENOMINATOR_KIND.enum
STATISTIC_IRIS = STATISTIC_TYPE.iri_of
"""GraphQL statistic -> ekg:StatisticType IRI (the comparison filter's)."""


@strawberry.enum(description="Whether a source document is a scholarly publication.")
class DocumentKind(Enum):
    PUBLICATION = "PUBLICATION"
    OTHER = "OTHER"


# Node --------------------------------------------------------------------------------------------


@strawberry.interface(description="Anything with an IRI; `Query.node` fetches any of them.")
class Node:
    id: strawberry.ID = strawberry.field(description="The resource's IRI.")


@strawberry.type(description="A value from one of the ontology's concept schemes.")
class Concept(Node):
    label: str | None


# Sources -----------------------------------------------------------------------------------------


@strawberry.type(
    description="A scholarly article that reports a trial, identified by its DOI or its PubMed id."
)
class Publication(Node):
    key: str | None = strawberry.field(description="The curators' short key (S1, S2, ...).")
    label: str | None
    doi: str | None
    title: str | None
    journal: str | None
    pmid: str | None = strawberry.field(description="The PubMed identifier, digits only.")
    date_published: str | None = strawberry.field(
        description="ISO 8601 date, year-month or year, as precise as the source gives it."
    )
    raw_url: strawberry.Private[str | None]

    @strawberry.field(
        description="A resolvable address: the DOI resolver when there is a DOI, else its page "
        "(PubMed for a publication a registry record cites)."
    )
    def url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else self.raw_url

    @strawberry.field(description="Author names in published order.")
    async def authors(self, info: Info) -> list[str]:
        found = await info.context.loaders.authors.load(str(self.id))
        return [author.name or author.id for author in found]

    @staticmethod
    def of(document: model.SourceDocument) -> Publication:
        return Publication(
            id=strawberry.ID(document.id),
            key=document.key,
            label=document.label,
            doi=document.doi,
            title=document.title,
            journal=document.journal,
            pmid=document.pmid,
            date_published=document.date_published,
            raw_url=document.url,
        )


@strawberry.type(
    description="Any document a fact rests on: a publication, a registry record, a news summary."
)
class Document(Node):
    key: str | None
    label: str | None
    title: str | None
    kind: DocumentKind
    url: str | None
    record_version: str | None = strawberry.field(
        description="For a registry record: the version the facts were imported from (the date "
        "of its last posted update)."
    )
    _document: strawberry.Private[model.SourceDocument]

    @strawberry.field(description="The document as a publication, when it is one.")
    def publication(self) -> Publication | None:
        return Publication.of(self._document) if self._document.is_publication else None

    @strawberry.field(description="The document this one summarizes, if any.")
    async def about(self, info: Info) -> Document | None:
        if self._document.about is None:
            return None
        found = await info.context.loaders.source.load(self._document.about)
        return Document.of(found) if found is not None else None

    @staticmethod
    def of(document: model.SourceDocument) -> Document:
        url = f"https://doi.org/{document.doi}" if document.doi else document.url
        return Document(
            id=strawberry.ID(document.id),
            key=document.key,
            label=document.label,
            title=document.title,
            kind=DocumentKind.PUBLICATION if document.is_publication else DocumentKind.OTHER,
            url=url,
            record_version=document.record_version,
            _document=document,
        )


@strawberry.type(description="One source a fact rests on, and what it rests on there.")
class Source:
    statement: str | None = strawberry.field(
        description="What the fact rests on in the source, in the curators' own words."
    )
    record_pointer: str | None = strawberry.field(
        description="For a fact imported from a registry record: where in the record it stands, "
        "as a JSON pointer (RFC 6901), e.g. /resultsSection/outcomeMeasuresModule/"
        "outcomeMeasures/0/analyses/0."
    )
    document: Document = strawberry.field(description="The source document (any kind).")

    @strawberry.field(description="The source as a publication; null for other documents.")
    def publication(self) -> Publication | None:
        document = self.document._document
        return Publication.of(document) if document.is_publication else None


async def sources_of(info: Info, subject: str) -> list[Source]:
    derivations = await info.context.loaders.derivations.load(subject)
    documents = await _all(info.context.loaders.source.load(d.source) for d in derivations)
    return [
        Source(
            statement=derivation.statement,
            record_pointer=derivation.pointer,
            document=Document.of(document),
        )
        for derivation, document in zip(derivations, documents, strict=True)
        if document is not None
    ]


def _sources_field(description: str = "The sources this fact rests on.") -> Any:
    async def resolve(root: Node, info: Info) -> list[Source]:
        return await sources_of(info, str(root.id))

    return strawberry.field(resolver=resolve, description=description)


# Drugs and conditions ----------------------------------------------------------------------------


def _as_reported(what: str, *, within: str = "", after: str = "") -> Any:
    """A field with the text a number was given in, where the typed number alone would lose
    something: every such field says so in the same words (``within`` and ``after`` add an
    example inside and at the end of the sentence)."""
    return strawberry.field(
        description=f"{what} exactly as the source wrote it{within}, when the number alone "
        f"would lose something{after}."
    )


@strawberry.type(description="A code for a resource in another vocabulary.")
class Xref:
    scheme: str | None = strawberry.field(description="ChEBI, DrugBank, NCIt, MeSH, ...")
    code: str = strawberry.field(description="The code as the vocabulary writes it.")
    iri: str | None = strawberry.field(description="The code's IRI or page, when it has one.")


def _xrefs(found: list[model.Xref]) -> list[Xref]:
    return [Xref(scheme=x.scheme, code=x.code, iri=x.iri) for x in found]


@strawberry.type(description="A medicinal substance.")
class Drug(Node):
    name: str | None
    proprietary_name: str | None
    exact_match: str | None = strawberry.field(description="The same substance in ChEBI.")

    @strawberry.field(description="Codes in ChEBI, DrugBank, PubChem, ChEMBL, UNII, RxNorm, ...")
    async def xrefs(self, info: Info) -> list[Xref]:
        return _xrefs(await info.context.loaders.xrefs.load(str(self.id)))

    @strawberry.field(description="Trials that give this drug in any arm.")
    async def trials(self, info: Info) -> list[Trial]:
        iris = await info.context.loaders.drug_trials.load(str(self.id))
        return [Trial.of(t) for t in await _many(info.context.loaders.trial, iris)]

    @staticmethod
    def of(drug: model.Drug) -> Drug:
        return Drug(
            id=strawberry.ID(drug.id),
            name=drug.name,
            proprietary_name=drug.proprietary_name,
            exact_match=drug.exact_match,
        )


@strawberry.type(description="A disease or disorder a trial studies.")
class Condition(Node):
    name: str | None
    alternate_name: str | None
    exact_match: str | None

    @strawberry.field(description="Codes in NCIt, MONDO, ICD-10, ICD-O-3, MeSH, ...")
    async def xrefs(self, info: Info) -> list[Xref]:
        return _xrefs(await info.context.loaders.xrefs.load(str(self.id)))

    @staticmethod
    def of(condition: model.Condition) -> Condition:
        return Condition(
            id=strawberry.ID(condition.id),
            name=condition.name,
            alternate_name=condition.alternate_name,
            exact_match=condition.exact_match,
        )


# Arms --------------------------------------------------------------------------------------------


@strawberry.type(description="The amount of drug in one dose.")
class Dose:
    value: float | None
    unit: str | None
    comparator: str | None = strawberry.field(
        description='">=" when the value is a lower bound ("at least 400 mg").'
    )

    @strawberry.field(description='The dose as text, e.g. ">= 400 mg".')
    def text(self) -> str | None:
        if self.value is None:
            return None
        amount = f"{self.value:g} {self.unit or ''}".strip()
        return f"{self.comparator} {amount}" if self.comparator else amount


@strawberry.type(description="A treatment given to an arm.")
class Intervention(Node):
    label: str | None
    dose: Dose
    route: str | None
    frequency: str | None
    dosage_form: str | None
    maximum_duration: str | None = strawberry.field(description="ISO 8601 duration.")
    dose_escalation_allowed: bool | None
    type: str | None = strawberry.field(
        description="The kind of intervention a registry records (Drug, Biological, Device, "
        "Behavioural, ...)."
    )
    placebo: bool | None = strawberry.field(
        description="True for a placebo (or sham), which gives no drug."
    )
    description: str | None
    other_names: list[str] = strawberry.field(description="Other names the registry gives it.")
    match_note: str | None = strawberry.field(
        description="How an import linked it to its drug when the registry gave no identifier "
        "the graph holds (by name or synonym)."
    )
    drug_iri: strawberry.Private[str | None]
    sources: list[Source] = _sources_field()

    @strawberry.field
    async def drug(self, info: Info) -> Drug | None:
        if self.drug_iri is None:
            return None
        found = await info.context.loaders.drug.load(self.drug_iri)
        return Drug.of(found) if found is not None else None

    @staticmethod
    def of(intervention: model.Intervention) -> Intervention:
        return Intervention(
            id=strawberry.ID(intervention.id),
            label=intervention.label,
            dose=Dose(
                value=intervention.dose_value,
                unit=intervention.dose_unit,
                comparator=intervention.dose_comparator,
            ),
            route=intervention.route,
            frequency=intervention.frequency,
            dosage_form=intervention.dosage_form,
            maximum_duration=intervention.maximum_duration,
            dose_escalation_allowed=intervention.dose_escalation_allowed,
            type=intervention.intervention_type,
            placebo=intervention.placebo,
            description=intervention.description,
            other_names=list(intervention.other_names),
            match_note=intervention.match_note,
            drug_iri=intervention.drug,
        )


@strawberry.type(description="A group of participants assigned to one intervention strategy.")
class Arm(Node):
    label: str | None
    role: ArmRole | None
    participants: int | None = strawberry.field(description="Participants randomized to the arm.")
    allocation_weight: int | None = strawberry.field(
        description="The arm's term in the trial's allocation ratio."
    )
    description: str | None
    registry_group_ids: list[str] = strawberry.field(
        description="The registry's ids of the results groups shown as this arm (OG000, EG001, "
        "...): a group that no protocol arm matches is an arm of its own, role OTHER."
    )
    sources: list[Source] = _sources_field()

    @strawberry.field
    async def interventions(self, info: Info) -> list[Intervention]:
        iris = await _links(info, str(self.id), ekg.intervention)
        return [Intervention.of(i) for i in await _many(info.context.loaders.intervention, iris)]

    @strawberry.field(description="The trial the arm belongs to.")
    async def trial(self, info: Info) -> Trial | None:
        iris = await _backlinks(info, str(self.id), ekg.arm, ekg.Trial)
        found = await _many(info.context.loaders.trial, iris[:1])
        return Trial.of(found[0]) if found else None

    @staticmethod
    def of(arm: model.Arm) -> Arm:
        return Arm(
            id=strawberry.ID(arm.id),
            label=arm.label,
            role=ARM_ROLE.of(arm.role),
            participants=arm.participants,
            allocation_weight=arm.allocation_weight,
            description=arm.description,
            registry_group_ids=list(arm.registry_group_ids),
        )


def _arm(info: Info, iri: str | None) -> Arm | None | Awaitable[Arm | None]:
    """The arm ``iri`` names: at once when the request has loaded it (the usual case: a
    trial's arms come before its results and comparisons), else once loaded."""
    if iri is None:
        return None
    return then(info.context.loaders.arm.load(iri), _arm_of)


def _arm_of(found: model.Arm | None) -> Arm | None:
    return Arm.of(found) if found is not None else None


async def _report(info: Info, iri: str | None) -> Report | None:
    if iri is None:
        return None
    found = await info.context.loaders.report.load(iri)
    return Report.of(found) if found is not None else None


async def _endpoint(info: Info, iri: str | None) -> Endpoint | None:
    if iri is None:
        return None
    found = await info.context.loaders.endpoint.load(iri)
    return Endpoint.of(found) if found is not None else None


def _concept(iri: str | None, label: str | None) -> Concept | None:
    return Concept(id=strawberry.ID(iri), label=label) if iri is not None else None


# Results -----------------------------------------------------------------------------------------

PERCENT = _iri(QUDT_UNIT.PERCENT)
"""Built once: a Namespace lookup costs about 1 us, and a page builds hundreds of results."""


@strawberry.type(description="A procedure that computed a derived figure.")
class StatisticalMethod(Node):
    name: str | None
    definition: str | None


@strawberry.type(
    description=(
        "A figure for one arm on one endpoint in one report. `value` is as reported; `count` is "
        "the reported count or, when the source gives none, an approximate count computed from "
        "the percentage and the arm size (then `countDerived` is true and `countMethod` names "
        "how)."
    )
)
class ArmResult(Node):
    label: str | None
    measure: str | None = strawberry.field(description="What exactly the figure measures.")
    time_point: str | None
    value: float | None = strawberry.field(
        description="The reported figure (see `unit`): a percentage, or a measured value (a "
        "mean, a median, a number) when the source gives one; counts are in `count`."
    )
    value_as_reported: str | None = _as_reported("The value", after=' ("NA", "<0.001", the trailing zero of "7.0")')
    unit_iri: str | None
    dispersion: float | None = strawberry.field(
        description="The spread of the figure: a standard deviation, a standard error or a "
        "coefficient of variation (see `dispersionType`)."
    )
    dispersion_type: str | None = strawberry.field(
        description="How the spread is given (Standard deviation, Confidence interval, "
        "Inter-quartile range, ...)."
    )
    lower_limit: float | None = strawberry.field(
        description="The lower end of the figure's range or confidence interval."
    )
    upper_limit: float | None = strawberry.field(
        description="The upper end of the figure's range or confidence interval."
    )
    dispersion_as_reported: str | None = _as_reported("The spread", after=' ("NA", a trailing zero)')
    lower_limit_as_reported: str | None = _as_reported("The lower limit")
    upper_limit_as_reported: str | None = _as_reported("The upper limit")
    ci_level: float | None = strawberry.field(
        description="0.95 when the limits are a 95% confidence interval; null for a range."
    )
    category: str | None = strawberry.field(
        description="The category the figure counts or measures, when the outcome has several."
    )
    result_class: str | None = strawberry.field(
        description="The subgroup (class) of the outcome the figure belongs to, when it has several."
    )
    note: str | None = strawberry.field(description="The source's comment on the figure.")
    count: int | None = strawberry.field(
        description="Participants with the event: reported, or derived (see `countDerived`)."
    )
    count_derived: bool = strawberry.field(
        description="True when `count` and `denominator` were computed, not reported."
    )
    denominator: int | None
    analysis_population: Concept | None = strawberry.field(
        description="The analysis the figure belongs to (e.g. intention to treat, accounting "
        "for crossover); null when the source does not say."
    )
    derived: bool = strawberry.field(
        description="True when this result was computed, not reported."
    )
    measure_type: StatisticType | None = strawberry.field(
        description="What kind of figure this is (PROPORTION, CUMULATIVE_INCIDENCE, "
        "TIME_TO_EVENT_ESTIMATE, MEAN, MEDIAN, COUNT, ...), when the source says; else the "
        "endpoint's `measureType`. Risk differences and ratios are derived only from proportions "
        "and counts."
    )
    time_point_value: float | None = strawberry.field(
        description="When the figure holds, in `timePointUnit` units (12 for 12 months)."
    )
    time_point_unit: str | None = strawberry.field(
        description="The QUDT unit IRI of `timePointValue` (unit:MO, unit:YR, ...)."
    )
    time_point_relation: TimeRelation | None = strawberry.field(
        description="AT the time point (a status then) or BY it (everything up to then)."
    )
    denominator_kind: DenominatorKind | None = strawberry.field(
        description="Whom the figure is out of: the ARM, the EVALUABLE patients "
        "(`denominator`), or UNKNOWN."
    )
    decimal_places: int | None = strawberry.field(
        description="The precision the source gave the figure (0 for 29%, 1 for 29.0%)."
    )
    count_range: list[int] | None = strawberry.field(
        description="For a derived count: the lowest and highest counts the rounded percentage "
        "admits (29% of 174 admits [50, 51])."
    )
    _result: strawberry.Private[model.ArmResult]
    sources: list[Source] = _sources_field()

    @strawberry.field(description="How a derived count was computed; null for reported counts.")
    async def count_method(self, info: Info) -> str | None:
        if not self.count_derived:
            return None
        method = await _method(info, self._result.approximate_computation)
        return method.name if method is not None else None

    @strawberry.field(description='"%" for percentages, else the QUDT unit, else the unit in the '
                      "source's words (a registry's unit of measure).")
    async def unit(self, info: Info) -> str | None:
        if self.unit_iri is not None:
            return "%" if self.unit_iri == PERCENT else self.unit_iri
        if self._result.endpoint is None:
            return None
        endpoint = await info.context.loaders.endpoint.load(self._result.endpoint)
        return endpoint.unit if endpoint is not None else None

    @strawberry.field(graphql_type=Arm | None)
    def arm(self, info: Info) -> Arm | None | Awaitable[Arm | None]:
        return _arm(info, self._result.arm)

    @strawberry.field
    async def endpoint(self, info: Info) -> Endpoint | None:
        return await _endpoint(info, self._result.endpoint)

    @strawberry.field
    async def report(self, info: Info) -> Report | None:
        return await _report(info, self._result.report)

    @staticmethod
    def of(result: model.ArmResult) -> ArmResult:
        derived_count = result.count is None and result.approximate_count is not None
        interval = result.ci_lower is not None or result.ci_upper is not None
        return ArmResult(
            id=strawberry.ID(result.id),
            label=result.label,
            measure=result.measure,
            time_point=result.time_point,
            value=result.percentage if result.percentage is not None else result.value,
            value_as_reported=result.value_as_reported,
            unit_iri=result.unit,
            dispersion=result.dispersion,
            dispersion_type=result.dispersion_type,
            lower_limit=result.ci_lower if interval else result.lower_limit,
            upper_limit=result.ci_upper if interval else result.upper_limit,
            dispersion_as_reported=result.dispersion_as_reported,
            lower_limit_as_reported=result.lower_as_reported,
            upper_limit_as_reported=result.upper_as_reported,
            ci_level=result.ci_level,
            category=result.category,
            result_class=result.result_class,
            note=result.note,
            count=result.approximate_count if derived_count else result.count,
            count_derived=derived_count,
            denominator=result.approximate_denominator if derived_count else result.denominator,
            analysis_population=_concept(
                result.analysis_population, result.analysis_population_label
            ),
            derived=result.derived,
            measure_type=STATISTIC_TYPE.of(result.measure_type),
            time_point_value=result.time_point_value,
            time_point_unit=result.time_point_unit,
            time_point_relation=TIME_RELATION.of(result.time_point_relation),
            denominator_kind=DENOMINATOR_KIND.of(result.denominator_kind),
            decimal_places=result.decimal_places,
            count_range=(
                [result.approximate_count_lower, result.approximate_count_upper]
                if derived_count
                and result.approximate_count_lower is not None
                and result.approximate_count_upper is not None
                else None
            ),
            _result=result,
        )


@strawberry.type(description="A statistic measuring the size of the difference between two arms.")
class EffectEstimate(Node):
    label: str | None
    statistic: StatisticType | None
    value: float | None
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float | None = strawberry.field(description="0.95 for a 95% interval.")
    ci_sides: str | None = strawberry.field(
        description='"two-sided" or "one-sided" (then one limit may be null), when the source says.'
    )
    statistic_as_reported: str | None = strawberry.field(
        description='The source\'s name for the statistic ("Odds Ratio (OR)", "Mean Difference '
        '(Final Values)"), kept whether or not `statistic` could match it.'
    )
    value_as_reported: str | None = _as_reported("The value")
    ci_lower_as_reported: str | None = _as_reported("The lower limit", within=' ("NA" when not estimable)')
    ci_upper_as_reported: str | None = _as_reported("The upper limit", within=' ("NA" when not estimable)')
    dispersion: float | None = strawberry.field(
        description="The estimate's standard error or deviation, when the source gives one."
    )
    dispersion_as_reported: str | None = _as_reported("The spread")
    dispersion_type: str | None
    notes: list[str] = strawberry.field(description="The source's comments on the estimate.")
    derived: bool = strawberry.field(
        description="True when this software computed the estimate (see `method`)."
    )
    approximate: bool = strawberry.field(
        description="True when the estimate rests on counts reconstructed from rounded "
        "percentages (see `approximationNote`): leave it out of anything that pools estimates."
    )
    approximation_note: str | None = strawberry.field(
        description="Which reconstructed counts an approximate estimate rests on, with the "
        "range each rounded percentage admits."
    )
    _computation: strawberry.Private[str | None]
    sources: list[Source] = _sources_field("Sources of a reported estimate.")

    @strawberry.field(description="The method that computed a derived estimate.")
    async def method(self, info: Info) -> StatisticalMethod | None:
        return await _method(info, self._computation)

    @staticmethod
    def of(estimate: model.EffectEstimate) -> EffectEstimate:
        statistic = (
            STATISTIC_TYPE.of(estimate.statistic) or StatisticType["OTHER"]
            if estimate.statistic is not None
            else None
        )
        return EffectEstimate(
            id=strawberry.ID(estimate.id),
            label=estimate.label,
            statistic=statistic,
            value=estimate.value,
            ci_lower=estimate.ci_lower,
            ci_upper=estimate.ci_upper,
            ci_level=estimate.ci_level,
            ci_sides=estimate.ci_sides,
            statistic_as_reported=estimate.statistic_as_reported,
            value_as_reported=estimate.value_as_reported,
            ci_lower_as_reported=estimate.lower_as_reported,
            ci_upper_as_reported=estimate.upper_as_reported,
            dispersion=estimate.dispersion,
            dispersion_as_reported=estimate.dispersion_as_reported,
            dispersion_type=estimate.dispersion_type,
            notes=list(estimate.notes),
            derived=estimate.derived,
            approximate=bool(estimate.approximate),
            approximation_note=estimate.approximation_note,
            _computation=estimate.computation,
        )


async def _method(info: Info, computation: str | None) -> StatisticalMethod | None:
    """The method ``computation`` ran, read only when a query asks for it (see
    :func:`kg.readmodel.read._read_derived`)."""
    if computation is None:
        return None
    found = await info.context.loaders.method.load(computation)
    if found is None:
        return None
    return StatisticalMethod(
        id=strawberry.ID(found.id), name=found.name, definition=found.definition
    )


@strawberry.type(
    description="This software's verdict on whether a comparison's difference is statistically "
    "significant, made from the reported p-value because the source gives none; derived, never "
    "reported."
)
class SignificanceAssessment(Node):
    label: str | None
    significant: bool | None
    level: float | None = strawberry.field(
        description="The two-sided significance level the p-value was compared with (0.05)."
    )
    _computation: strawberry.Private[str | None]

    @strawberry.field(
        description="The rule applied, including how a bound such as P < .001 is read."
    )
    async def method(self, info: Info) -> StatisticalMethod | None:
        return await _method(info, self._computation)

    @staticmethod
    def of(assessment: model.SignificanceAssessment) -> SignificanceAssessment:
        return SignificanceAssessment(
            id=strawberry.ID(assessment.id),
            label=assessment.label,
            significant=assessment.significant,
            level=assessment.level,
            _computation=assessment.computation,
        )


@strawberry.type(
    description="A contrast of an intervention arm with a comparator arm on one endpoint (or, for "
    "an analysis of other than two groups, of the arms in `comparedArms`)."
)
class Comparison(Node):
    label: str | None
    analysis_population: Concept | None
    analysis_method: str | None
    p_value: float | None
    p_value_comparator: str | None = strawberry.field(
        description='"<" when the source gives only a bound (P < .001).'
    )
    p_value_as_reported: str | None = _as_reported("The p-value", within=' ("<0.001")')
    hypothesis: str | None = strawberry.field(
        description="What the analysis set out to show (Superiority, Non-inferiority, "
        "Equivalence, ...), when the source says."
    )
    hypothesis_note: str | None = strawberry.field(
        description="The source's words on a non-inferiority or equivalence margin."
    )
    notes: list[str] = strawberry.field(description="The source's comments on the analysis.")
    _comparison: strawberry.Private[model.Comparison]
    sources: list[Source] = _sources_field()

    @strawberry.field(
        description="As the source says; when it does not but gives a p-value, this software's "
        "verdict at the 0.05 level (then `significanceDerived` is true and "
        "`significanceAssessment` says how it was made)."
    )
    async def significant(self, info: Info) -> bool | None:
        if self._comparison.significant is not None:
            return self._comparison.significant
        assessment = await self.significance_assessment(info)
        return assessment.significant if assessment is not None else None

    @strawberry.field(description="True when `significant` is this software's verdict.")
    async def significance_derived(self, info: Info) -> bool:
        if self._comparison.significant is not None:
            return False
        assessment = await self.significance_assessment(info)
        return assessment is not None and assessment.significant is not None

    @strawberry.field(
        description="The derived verdict, with its level and method; null when the source gives "
        "its own verdict or no p-value."
    )
    async def significance_assessment(self, info: Info) -> SignificanceAssessment | None:
        iri = self._comparison.significance_assessment
        if iri is None:
            return None
        found = await info.context.loaders.significance.load(iri)
        return SignificanceAssessment.of(found) if found is not None else None

    @strawberry.field
    async def endpoint(self, info: Info) -> Endpoint | None:
        return await _endpoint(info, self._comparison.endpoint)

    @strawberry.field
    async def report(self, info: Info) -> Report | None:
        return await _report(info, self._comparison.report)

    @strawberry.field(description="The arm whose effect is estimated.", graphql_type=Arm | None)
    def intervention(self, info: Info) -> Arm | None | Awaitable[Arm | None]:
        return _arm(info, self._comparison.intervention)

    @strawberry.field(description="The reference arm.", graphql_type=Arm | None)
    def comparator(self, info: Info) -> Arm | None | Awaitable[Arm | None]:
        return _arm(info, self._comparison.comparator)

    @strawberry.field(
        description="The arms an analysis of other than two groups compares (no intervention and "
        "comparator can be named); empty otherwise."
    )
    async def compared_arms(self, info: Info) -> list[Arm]:
        found = await _many(info.context.loaders.arm, list(self._comparison.compared_arms))
        return [Arm.of(a) for a in found]

    @strawberry.field
    async def intervention_result(self, info: Info) -> ArmResult | None:
        return await _arm_result(info, self._comparison.intervention_result)

    @strawberry.field
    async def comparator_result(self, info: Info) -> ArmResult | None:
        return await _arm_result(info, self._comparison.comparator_result)

    @strawberry.field(description="Effect estimates, reported or derived.")
    async def estimates(self, info: Info) -> list[EffectEstimate]:
        iris = await _links(info, str(self.id), ekg.estimate)
        found = [EffectEstimate.of(e) for e in await _many(info.context.loaders.estimate, iris)]
        order = STATISTIC_TYPE.order
        return sorted(
            found, key=lambda e: (order.index(e.statistic) if e.statistic else 9, str(e.id))
        )

    @staticmethod
    def of(comparison: model.Comparison) -> Comparison:
        return Comparison(
            id=strawberry.ID(comparison.id),
            label=comparison.label,
            analysis_population=_concept(
                comparison.analysis_population, comparison.analysis_population_label
            ),
            analysis_method=comparison.analysis_method,
            p_value=comparison.p_value,
            p_value_comparator=comparison.p_value_comparator,
            p_value_as_reported=comparison.p_value_as_reported,
            hypothesis=comparison.hypothesis,
            hypothesis_note=comparison.hypothesis_note,
            notes=list(comparison.notes),
            _comparison=comparison,
        )


async def _arm_result(info: Info, iri: str | None) -> ArmResult | None:
    if iri is None:
        return None
    found = await info.context.loaders.arm_result.load(iri)
    return ArmResult.of(found) if found is not None else None


@strawberry.type(description="Participants of one arm who switched to another arm's treatment.")
class CrossoverResult(Node):
    label: str | None
    count: int | None
    percentage: float | None
    median_time_to_crossover_months: float | None
    _crossover: strawberry.Private[model.CrossoverResult]
    sources: list[Source] = _sources_field()

    @strawberry.field(
        description="The arm the participants were randomized to.", graphql_type=Arm | None
    )
    def from_arm(self, info: Info) -> Arm | None | Awaitable[Arm | None]:
        return _arm(info, self._crossover.arm)

    @strawberry.field(
        description="The arm whose treatment they switched to.", graphql_type=Arm | None
    )
    def to_arm(self, info: Info) -> Arm | None | Awaitable[Arm | None]:
        return _arm(info, self._crossover.crossover_to)

    @strawberry.field
    async def report(self, info: Info) -> Report | None:
        return await _report(info, self._crossover.report)

    @staticmethod
    def of(crossover: model.CrossoverResult) -> CrossoverResult:
        return CrossoverResult(
            id=strawberry.ID(crossover.id),
            label=crossover.label,
            count=crossover.count,
            percentage=crossover.percentage,
            median_time_to_crossover_months=crossover.median_months,
            _crossover=crossover,
        )


@strawberry.type(description="A reported statement without a figure of its own.")
class Finding(Node):
    label: str | None
    kind: str | None
    statement: str | None
    about_iri: strawberry.Private[str | None]
    sources: list[Source] = _sources_field()

    @strawberry.field(description="The trial, endpoint or arm the finding is about.")
    async def about(self, info: Info) -> Node | None:
        return await resolve_node(info, self.about_iri) if self.about_iri else None

    @staticmethod
    def of(finding: model.Finding) -> Finding:
        return Finding(
            id=strawberry.ID(finding.id),
            label=finding.label,
            kind=finding.kind,
            statement=finding.statement,
            about_iri=finding.about,
        )


# Endpoints and reports ---------------------------------------------------------------------------


@strawberry.type(description="An outcome measure the protocol declares.")
class Endpoint(Node):
    name: str | None
    alternate_name: str | None
    kind: EndpointKind | None
    definition: str | None
    time_frame: str | None
    unit: str | None = strawberry.field(
        description="The unit of the endpoint's figures in the source's words (a registry's unit "
        "of measure, e.g. \"percentage of subjects\")."
    )
    measure_type: StatisticType | None = strawberry.field(
        description="The statistic the per-arm figures are (COUNT, MEAN, MEDIAN, NUMBER, ...), "
        "when the source says."
    )
    dispersion_type: str | None = strawberry.field(
        description="How the figures' spread is given, when the source says."
    )
    population_description: str | None = strawberry.field(
        description="Which participants the figures were computed on, in the source's words."
    )
    benefit_direction: BenefitDirection | None = strawberry.field(
        description="Which way the figures are better for patients (HIGHER or LOWER), when the "
        "curators say: which side of a forest plot favours which arm."
    )
    sources: list[Source] = _sources_field()

    @strawberry.field(description="Per-arm results on this endpoint, in every report.")
    async def results(self, info: Info) -> list[ArmResult]:
        iris = await _backlinks(info, str(self.id), ekg.endpoint, ekg.ArmResult)
        return [ArmResult.of(r) for r in await _many(info.context.loaders.arm_result, iris)]

    @strawberry.field(description="Comparisons of arms on this endpoint, in every report.")
    async def comparisons(self, info: Info) -> list[Comparison]:
        iris = await _backlinks(info, str(self.id), ekg.endpoint, ekg.Comparison)
        return [Comparison.of(c) for c in await _many(info.context.loaders.comparison, iris)]

    @staticmethod
    def of(endpoint: model.Endpoint) -> Endpoint:
        return Endpoint(
            id=strawberry.ID(endpoint.id),
            name=endpoint.name,
            alternate_name=endpoint.alternate_name,
            kind=ENDPOINT_KIND.of(endpoint.kind),
            definition=endpoint.definition,
            time_frame=endpoint.time_frame,
            unit=endpoint.unit,
            measure_type=STATISTIC_TYPE.of(endpoint.measure_type),
            dispersion_type=endpoint.dispersion_type,
            population_description=endpoint.population_description,
            benefit_direction=BENEFIT_DIRECTION.of(endpoint.benefit_direction),
        )


@strawberry.type(description="One analysis of a trial as published; each figure belongs to one.")
class Report(Node):
    label: str | None
    kind: str | None
    follow_up: str | None
    minimum_follow_up: str | None = strawberry.field(description="ISO 8601 duration.")
    publication_iri: strawberry.Private[str | None]
    sources: list[Source] = _sources_field()

    @strawberry.field
    async def publication(self, info: Info) -> Publication | None:
        if self.publication_iri is None:
            return None
        found = await info.context.loaders.source.load(self.publication_iri)
        return Publication.of(found) if found is not None else None

    @strawberry.field(description="Per-arm results this report gives.")
    async def results(self, info: Info) -> list[ArmResult]:
        iris = await _backlinks(info, str(self.id), ekg.report, ekg.ArmResult)
        return [ArmResult.of(r) for r in await _many(info.context.loaders.arm_result, iris)]

    @strawberry.field(description="Comparisons this report gives.")
    async def comparisons(self, info: Info) -> list[Comparison]:
        iris = await _backlinks(info, str(self.id), ekg.report, ekg.Comparison)
        return [Comparison.of(c) for c in await _many(info.context.loaders.comparison, iris)]

    @strawberry.field(description="Endpoints this report gives results or comparisons on.")
    async def endpoints(self, info: Info) -> list[Endpoint]:
        result_iris, comparison_iris = await _all(
            map(
                info.context.loaders.backlinks.load,
                [
                    (str(self.id), ekg.report, ekg.ArmResult),
                    (str(self.id), ekg.report, ekg.Comparison),
                ],
            )
        )
        results = await _many(info.context.loaders.arm_result, result_iris)
        comparisons = await _many(info.context.loaders.comparison, comparison_iris)
        iris = _unique(
            [r.endpoint for r in results if r.endpoint]
            + [c.endpoint for c in comparisons if c.endpoint]
        )
        return _by_rank([Endpoint.of(e) for e in await _many(info.context.loaders.endpoint, iris)])

    @strawberry.field(description="Crossover between arms by this report.")
    async def crossovers(self, info: Info) -> list[CrossoverResult]:
        iris = await _backlinks(info, str(self.id), ekg.report, ekg.CrossoverResult)
        return [CrossoverResult.of(c) for c in await _many(info.context.loaders.crossover, iris)]

    @strawberry.field(description="Statements this report makes without figures.")
    async def findings(self, info: Info) -> list[Finding]:
        iris = await _links(info, str(self.id), ekg.finding)
        return [Finding.of(f) for f in await _many(info.context.loaders.finding, iris)]

    @staticmethod
    def of(report: model.Report) -> Report:
        return Report(
            id=strawberry.ID(report.id),
            label=report.label,
            kind=report.kind,
            follow_up=report.follow_up,
            minimum_follow_up=report.minimum_follow_up,
            publication_iri=report.publication,
        )


REPORT_ORDER = [_iri(EKG.PrimaryAnalysis), _iri(EKG.FollowUpAnalysis), _iri(EKG.FinalAnalysis)]
"""Reports in the order of a trial's life."""

def _by_rank(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Primary endpoints first, then secondary, tertiary and the rest in the enum's order; by name
    within a rank."""
    order = ENDPOINT_KIND.order
    return sorted(
        endpoints, key=lambda e: (order.index(e.kind) if e.kind else len(order), e.name or "")
    )


# Trials ------------------------------------------------------------------------------------------


@strawberry.type(description="An entry of the trial in a public registry.")
class Registration(Node):
    registry: str | None
    registry_id: str | None
    registered_phase: str | None = strawberry.field(
        description="The phase the registry lists; can be coarser than the trial's own."
    )


    @staticmethod
    def of(registration: model.Registration) -> Registration:
        return Registration(
            id=strawberry.ID(registration.id),
            registry=registration.registry,
            registry_id=registration.registry_id,
            registered_phase=registration.registered_phase,
        )


async def _registrations(info: Info, trial: str) -> list[Registration]:
    iris = await _links(info, trial, ekg.registration)
    return [Registration.of(r) for r in await _many(info.context.loaders.registration, iris)]


@strawberry.type(description="How the trial assigns and masks its arms.")
class Design:
    allocation: str | None
    masking: str | None
    intervention_model: str | None
    primary_purpose: str | None
    observational_model: str | None = strawberry.field(
        description="How an observational study selects and follows its participants (Cohort, "
        "Case-control, ...)."
    )
    time_perspective: str | None = strawberry.field(
        description="Whether an observational study looks forward, back, or at one time."
    )


@strawberry.type(description="The people a trial enrols.")
class Population(Node):
    label: str | None
    inclusion_criteria: list[str]
    eligibility_criteria: str | None = strawberry.field(
        description="The registry's eligibility criteria, whole and as given."
    )
    sex: str | None = strawberry.field(description="Which sexes are enrolled (ALL, FEMALE, MALE).")
    minimum_age: str | None = strawberry.field(description='As the registry gives it ("18 Years").')
    maximum_age: str | None
    healthy_volunteers: bool | None
    sources: list[Source] = _sources_field()

    @strawberry.field
    async def conditions(self, info: Info) -> list[Condition]:
        iris = await _links(info, str(self.id), SCHEMA.healthCondition)
        return [Condition.of(c) for c in await _many(info.context.loaders.condition, iris)]

    @staticmethod
    def of(population: model.Population) -> Population:
        return Population(
            id=strawberry.ID(population.id),
            label=population.label,
            inclusion_criteria=list(population.inclusion_criteria),
            eligibility_criteria=population.eligibility_criteria,
            sex=population.sex,
            minimum_age=population.minimum_age,
            maximum_age=population.maximum_age,
            healthy_volunteers=population.healthy_volunteers,
        )


@strawberry.type(description="A registry date as precisely as the registry gives it.")
class PartialDate:
    value: str = strawberry.field(
        description='ISO 8601 at the precision given: "2015-09-17", or "2015-09" for a month.'
    )
    precision: str = strawberry.field(description='"day", "month" or "year".')
    anticipated: bool | None = strawberry.field(
        description="True for a planned date, false for an actual one; null when not said."
    )

    @staticmethod
    def of(value: str | None, status: str | None) -> PartialDate | None:
        if value is None:
            return None
        precision = {10: "day", 7: "month", 4: "year"}.get(len(value), "day")
        anticipated = None if status is None else status == _iri(EKG.Anticipated)
        return PartialDate(value=value, precision=precision, anticipated=anticipated)


@strawberry.type(description="A study's dates as its registry records them, actual or anticipated.")
class StudyDates:
    start: PartialDate | None
    primary_completion: PartialDate | None
    completion: PartialDate | None
    results_first_posted: PartialDate | None


@strawberry.type(description="An organization, such as a study's sponsor.")
class Organization(Node):
    name: str | None


@strawberry.type(
    description="A publication a registry record cites, with why: its results, background, or "
    "found by the registry itself."
)
class Reference(Node):
    type: str | None = strawberry.field(description="Results, Background or Found by the registry.")
    citation: str | None = strawberry.field(description="The citation as the record gives it.")
    publication_iri: strawberry.Private[str | None]
    sources: list[Source] = _sources_field()

    @strawberry.field
    async def publication(self, info: Info) -> Publication | None:
        if self.publication_iri is None:
            return None
        found = await info.context.loaders.source.load(self.publication_iri)
        return Publication.of(found) if found is not None else None

    @staticmethod
    def of(reference: model.Reference) -> Reference:
        return Reference(
            id=strawberry.ID(reference.id),
            type=reference.reference_type,
            citation=reference.citation,
            publication_iri=reference.publication,
        )


@strawberry.type(
    description="A clinical trial; also a study a trial registry records that is not a trial (an "
    "observational study: `isTrial` false)."
)
class Trial(Node):
    acronym: str | None
    title: str | None
    official_title: str | None = strawberry.field(
        description="The official title, as the registry records it."
    )
    is_trial: bool = strawberry.field(
        description="False for a study a registry records that assigns no intervention (an "
        "observational study)."
    )
    status: str | None = strawberry.field(
        description="The recruitment status the registry records (Recruiting, Completed, ...)."
    )
    description: str | None = strawberry.field(description="The registry's brief summary.")
    phase: str | None = strawberry.field(description="The phase the trial's reports state.")
    design: Design
    allocation_ratio: str | None = strawberry.field(description='E.g. "2:1", in arm order.')
    enrollment: int | None = strawberry.field(description="Enrolled, as the registry records.")
    enrollment_anticipated: bool | None = strawberry.field(
        description="True when the enrollment is the anticipated one, not the actual."
    )
    randomized: int | None
    start_date: datetime.date | None = strawberry.field(
        description="The start date; null when the registry gives only the month (see `dates`)."
    )
    primary_completion_date: datetime.date | None = strawberry.field(
        description="Null when the registry gives only the month (see `dates`)."
    )
    results_first_posted: datetime.date | None
    dates: StudyDates = strawberry.field(
        description="The registry's dates at the precision it gives, actual or anticipated."
    )
    crossover_rule: str | None
    population_iri: strawberry.Private[str | None]
    sponsor_iri: strawberry.Private[str | None]
    sources: list[Source] = _sources_field()

    @strawberry.field(description="The lead sponsor, as the registry records it.")
    async def sponsor(self, info: Info) -> Organization | None:
        if self.sponsor_iri is None:
            return None
        found = await info.context.loaders.organization.load(self.sponsor_iri)
        return Organization(id=strawberry.ID(found.id), name=found.name) if found else None

    @strawberry.field(
        description="Publications the registry record cites, with why (results, background, ...)."
    )
    async def references(self, info: Info) -> list[Reference]:
        iris = await _links(info, str(self.id), ekg.reference)
        return [Reference.of(r) for r in await _many(info.context.loaders.reference, iris)]

    @strawberry.field
    async def registrations(self, info: Info) -> list[Registration]:
        return await _registrations(info, str(self.id))

    @strawberry.field(description="Identifiers in trial registries (NCT..., EudraCT ...).")
    async def registry_ids(self, info: Info) -> list[str]:
        registrations = await _registrations(info, str(self.id))
        return [r.registry_id for r in registrations if r.registry_id]

    @strawberry.field
    async def population(self, info: Info) -> Population | None:
        if self.population_iri is None:
            return None
        found = await info.context.loaders.population.load(self.population_iri)
        return Population.of(found) if found is not None else None

    @strawberry.field
    async def conditions(self, info: Info) -> list[Condition]:
        iris = await _links(info, str(self.id), SCHEMA.healthCondition)
        return [Condition.of(c) for c in await _many(info.context.loaders.condition, iris)]

    @strawberry.field
    async def arms(self, info: Info) -> list[Arm]:
        iris = await _links(info, str(self.id), ekg.arm)
        arms = [Arm.of(a) for a in await _many(info.context.loaders.arm, iris)]
        order = ARM_ROLE.order
        return sorted(arms, key=lambda a: (order.index(a.role) if a.role else 9, str(a.id)))

    @strawberry.field(description="Endpoints, primary first; `kind` keeps one rank.")
    async def endpoints(self, info: Info, kind: EndpointKind | None = None) -> list[Endpoint]:
        iris = await _links(info, str(self.id), ekg.endpoint)
        endpoints = [Endpoint.of(e) for e in await _many(info.context.loaders.endpoint, iris)]
        return _by_rank([e for e in endpoints if kind is None or e.kind == kind])

    @strawberry.field(description="Analyses of the trial as published.")
    async def reports(self, info: Info) -> list[Report]:
        iris = await _links(info, str(self.id), ekg.report)
        found: list[model.Report] = await _many(info.context.loaders.report, iris)
        order = REPORT_ORDER
        found.sort(key=lambda r: (order.index(r.kind_iri) if r.kind_iri in order else 9, r.id))
        return [Report.of(r) for r in found]

    @strawberry.field(description="Scholarly publications about the trial.")
    async def publications(self, info: Info) -> list[Publication]:
        documents = await self._documents(info)
        return [Publication.of(d) for d in documents if d.is_publication]

    @strawberry.field(description="Every document about the trial, publications or not.")
    async def documents(self, info: Info) -> list[Document]:
        return [Document.of(d) for d in await self._documents(info)]

    async def _documents(self, info: Info) -> list[model.SourceDocument]:
        iris = await _links(info, str(self.id), SCHEMA.subjectOf)
        found: list[model.SourceDocument] = await _many(info.context.loaders.source, iris)
        return sorted(found, key=lambda d: (d.key or "", d.id))

    @strawberry.field(description="Comparisons of arms on any endpoint of the trial.")
    async def comparisons(self, info: Info) -> list[Comparison]:
        endpoints = await _links(info, str(self.id), ekg.endpoint)
        iris = await _backlinks_many(info, endpoints, ekg.endpoint, ekg.Comparison)
        found = await _many(info.context.loaders.comparison, iris)
        return [Comparison.of(c) for c in found]

    @strawberry.field(description="Participants who switched arms, by report.")
    async def crossovers(self, info: Info) -> list[CrossoverResult]:
        arms = await _links(info, str(self.id), ekg.arm)
        iris = await _backlinks_many(info, arms, ekg.arm, ekg.CrossoverResult)
        found = await _many(info.context.loaders.crossover, iris)
        return [CrossoverResult.of(c) for c in found]

    @strawberry.field(description="Statements about the trial without figures.")
    async def findings(self, info: Info) -> list[Finding]:
        iris = await _backlinks(info, str(self.id), ekg.about, ekg.Finding)
        return [Finding.of(f) for f in await _many(info.context.loaders.finding, iris)]

    @staticmethod
    def of(trial: model.Trial) -> Trial:
        return Trial(
            id=strawberry.ID(trial.id),
            acronym=trial.acronym,
            title=trial.title,
            phase=trial.phase,
            official_title=trial.official_title,
            is_trial=trial.is_trial,
            status=trial.status,
            description=trial.description,
            design=Design(
                allocation=trial.allocation,
                masking=trial.masking,
                intervention_model=trial.intervention_model,
                primary_purpose=trial.primary_purpose,
                observational_model=trial.observational_model,
                time_perspective=trial.time_perspective,
            ),
            allocation_ratio=trial.allocation_ratio,
            enrollment=trial.enrollment,
            enrollment_anticipated=(
                None
                if trial.enrollment_status is None
                else trial.enrollment_status == _iri(EKG.Anticipated)
            ),
            randomized=trial.randomized,
            start_date=trial.start_date,
            primary_completion_date=trial.primary_completion_date,
            results_first_posted=trial.results_first_posted,
            dates=StudyDates(
                start=PartialDate.of(trial.start_as_given, trial.start_status),
                primary_completion=PartialDate.of(
                    trial.primary_completion_as_given, trial.primary_completion_status
                ),
                completion=PartialDate.of(trial.completion_as_given, trial.completion_status),
                results_first_posted=PartialDate.of(trial.results_first_posted_as_given, None),
            ),
            crossover_rule=trial.crossover_rule,
            population_iri=trial.population,
            sponsor_iri=trial.sponsor,
        )


# Node resolution ---------------------------------------------------------------------------------


async def _node_of(info: Info, loader: Any, build: Callable[[Any], Node], iri: str) -> Node | None:
    found = await loader.load(iri)
    return build(found) if found is not None else None


def _node_resolvers(info: Info) -> list[tuple[str, Callable[[str], Awaitable[Node | None]]]]:
    """Ontology class -> how to build its GraphQL type, most specific class first."""
    loaders = info.context.loaders

    def via(loader: Any, build: Callable[[Any], Node]) -> Callable[[str], Awaitable[Node | None]]:
        return lambda iri: _node_of(info, loader, build, iri)

    return [
        (_iri(EKG.Trial), via(loaders.trial, Trial.of)),
        (_iri(EKG.Study), via(loaders.trial, Trial.of)),
        (_iri(EKG.Arm), via(loaders.arm, Arm.of)),
        (_iri(EKG.Intervention), via(loaders.intervention, Intervention.of)),
        (_iri(EKG.Drug), via(loaders.drug, Drug.of)),
        (_iri(EKG.Condition), via(loaders.condition, Condition.of)),
        (_iri(EKG.Endpoint), via(loaders.endpoint, Endpoint.of)),
        (_iri(EKG.Report), via(loaders.report, Report.of)),
        (_iri(EKG.ArmResult), via(loaders.arm_result, ArmResult.of)),
        (_iri(EKG.Comparison), via(loaders.comparison, Comparison.of)),
        (_iri(EKG.EffectEstimate), via(loaders.estimate, EffectEstimate.of)),
        (_iri(EKG.SignificanceAssessment), via(loaders.significance, SignificanceAssessment.of)),
        (_iri(EKG.CrossoverResult), via(loaders.crossover, CrossoverResult.of)),
        (_iri(EKG.Finding), via(loaders.finding, Finding.of)),
        (_iri(EKG.Publication), via(loaders.source, Publication.of)),
        (_iri(EKG.Source), via(loaders.source, Document.of)),
        (_iri(EKG.Population), via(loaders.population, Population.of)),
        (_iri(EKG.Registration), via(loaders.registration, Registration.of)),
        (_iri(EKG.Reference), via(loaders.reference, Reference.of)),
    ]


async def resolve_node(info: Info, iri: str) -> Node | None:
    """The GraphQL object for any resource the graph types with an ontology class."""
    types = await info.context.loaders.node_types.load(iri)
    if not types:
        return None
    for cls, build in _node_resolvers(info):
        if cls in types:
            return await build(iri)
    return None


# Listings ----------------------------------------------------------------------------------------


@strawberry.type(description="Where a page of a listing ends (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    start_cursor: str | None


@strawberry.type
class TrialEdge:
    cursor: str
    node: Trial


@strawberry.type
class ComparisonEdge:
    cursor: str
    node: Comparison


CountFunction = Callable[[], Awaitable[int]]


@strawberry.type(description="A page of trials.")
class TrialConnection:
    edges: list[TrialEdge]
    page_info: PageInfo
    count: strawberry.Private[CountFunction]

    @strawberry.field(description="How many trials match the filter, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type(description="A page of comparisons.")
class ComparisonConnection:
    edges: list[ComparisonEdge]
    page_info: PageInfo
    count: strawberry.Private[CountFunction]

    @strawberry.field(description="How many comparisons match the filter, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


def page_info(cursors: Sequence[str], has_next_page: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next_page,
        end_cursor=cursors[-1] if cursors else None,
        start_cursor=cursors[0] if cursors else None,
    )
