"""Posted results of a registry record: outcome measures, their per-group figures, statistical
analyses, derived estimates where their assumptions hold, and adverse events.

The registry's results groups (OG000, ...) are linked to the protocol's arm groups when exactly
one arm fits (:func:`matching_arms`); a group no arm fits becomes an arm of its own (role
"other", with its group ids), and the import summary says so. Estimates are derived only from
counts of participants with an event in two groups whose roles name the comparator, by
:mod:`kg.derive` exactly as for curated trials and by the same rule
(:func:`kg.derive.two_by_two`); never from a "number" (which may be a percentage of a
time-to-event analysis), a count of units, a mean or a median.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from kg.ctgov import values, vocabulary
from kg.ctgov.reconcile import normalized
from kg.ctgov.writer import (
    REGISTRY,
    Json,
    MappingContext,
    RecordWriter,
    get,
    items,
    pointer,
    text_of,
)
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
from kg.vocab import EKG, RDF, SCHEMA, SKOS, XSD

_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
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
            lambda arm: bool(text_of(arm.get("description")))
            and first_sentence(str(arm["description"])) == first_sentence(description)
        )
    for rule in rules:
        found = [node for node, arm in arms if rule(arm)]
        if found:
            return found
    return []


@dataclass(frozen=True)
class _Group:
    """A results group of one outcome (or of the adverse-event tables) and its arm."""

    group_id: str
    title: str
    arm: str


class ResultsMapping(RecordWriter):
    """Writes a record's results section (the study mapping, :mod:`kg.ctgov.mapping`, adds the
    protocol's arms to :attr:`arms` first)."""

    def __init__(self, study: Json, origin: str, context: MappingContext) -> None:
        super().__init__(study, origin, context)
        self.arms: list[tuple[str, Json]] = []
        self.arm_roles: dict[str, URIRef] = {}
        self.arm_labels: dict[str, str] = {}
        self.group_arms: dict[str, str] = {}
        self.group_ids: dict[str, set[str]] = defaultdict(set)
        self.unmatched: dict[str, list[str]] = defaultdict(list)
        self.report = f"{self.trial}/report-registry-results"
        self.result_titles: set[tuple[str, str]] = set()

    def arm_for(self, group: Json, where: str) -> _Group:
        """The arm a results group belongs to: the one protocol arm that fits it (see
        :func:`matching_arms`), else an arm of its own, one per distinct group title."""
        group_id = text_of(group.get("id")) or "group"
        title = text_of(group.get("title")) or group_id
        candidates = matching_arms(title, text_of(group.get("description")), self.arms)
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
        outcomes = items(results, "outcomeMeasuresModule", "outcomeMeasures")
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
        title = text_of(outcome.get("title")) or f"Outcome {index + 1}"
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
        for g, group in enumerate(items(outcome, "groups")):
            if isinstance(group, dict) and text_of(group.get("id")):
                groups[str(group["id"]).strip()] = self.arm_for(group, f"{at}/groups/{g}")
        denominators = self.denominators(items(outcome, "denoms"))
        cells: dict[str, list[str]] = defaultdict(list)
        figures: dict[str, ArmFigure] = {}
        classes = [c for c in items(outcome, "classes") if isinstance(c, dict)]
        single = len(classes) == 1 and len(items(classes[0], "categories")) == 1
        for c, klass in enumerate(classes):
            class_title = text_of(klass.get("title"))
            class_denominators = self.denominators(items(klass, "denoms")) or denominators
            for k, category in enumerate(items(klass, "categories")):
                if not isinstance(category, dict):
                    continue
                category_title = text_of(category.get("title"))
                for m, measurement in enumerate(items(category, "measurements")):
                    if not isinstance(measurement, dict):
                        continue
                    group = groups.get(str(measurement.get("groupId", "")).strip())
                    where = f"{at}/classes/{c}/categories/{k}/measurements/{m}"
                    if group is None:
                        self.notes.append(f"{where}: names no group of the outcome, left out")
                        continue
                    if all(text_of(measurement.get(key)) is None
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
        analyses = [a for a in items(outcome, "analyses") if isinstance(a, dict)]
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
        for count in items(chosen, "counts"):
            value = values.integer(get(count, "value"))
            group = text_of(get(count, "groupId"))
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
        ids = [str(g).strip() for g in items(analysis, "groupIds")]
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
        param_type = text_of(analysis.get("paramType"))
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
        groups = [g for g in items(events, "eventGroups") if isinstance(g, dict)]
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
