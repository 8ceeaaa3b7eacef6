"""The SDL contract: code and api/schema.graphql agree, introspection round-trips, and every
property the SHACL shapes describe (and the data uses) is reachable in the schema."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_client_schema,
    get_introspection_query,
    print_schema,
)
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from api.graphql.schema import build_schema, sdl

ROOT = Path(__file__).parents[3]
COMMITTED = ROOT / "api" / "schema.graphql"
SHAPES = sorted((ROOT / "ontology" / "shapes").glob("*.ttl"))


def test_committed_sdl_matches_code() -> None:
    """api/schema.graphql is the schema the code serves; regenerate it with `make schema`."""
    assert COMMITTED.read_text(encoding="utf-8") == sdl(), (
        "api/schema.graphql is stale: run `make schema` (kg export-schema) and commit it"
    )


def test_introspection_builds_the_same_schema() -> None:
    """A client building the schema from introspection (graphql-core) prints the same SDL."""
    schema = build_schema()
    result = schema.execute_sync(get_introspection_query(descriptions=True))
    assert result.errors is None
    assert result.data is not None
    client_schema = build_client_schema(result.data)  # type: ignore[arg-type]
    assert print_schema(client_schema) + "\n" == sdl()


def test_public_contract_names() -> None:
    """The names the public contract promises exist (extend freely, never rename)."""
    schema = build_schema()._schema
    contract = {
        "Query": "node trial trials drug drugs publication comparisons",
        "Trial": "id acronym title registryIds phase design allocationRatio enrollment startDate "
        "primaryCompletionDate population conditions arms endpoints reports publications",
        "Arm": "id label role participants interventions",
        "Intervention": "drug dose route frequency",
        "Drug": "id name xrefs trials",
        "Xref": "scheme code iri",
        "Condition": "id name xrefs",
        "Endpoint": "id name kind definition timeFrame results comparisons",
        "ArmResult": "arm value unit count denominator analysisPopulation derived sources",
        "Comparison": "id endpoint intervention comparator analysisPopulation pValue significant "
        "estimates sources",
        "EffectEstimate": "statistic value ciLower ciUpper ciLevel derived method",
        "Report": "label followUp publication endpoints",
        "Publication": "id doi title journal datePublished authors url",
        "Source": "publication statement",
        "TrialConnection": "edges pageInfo totalCount",
        "TrialEdge": "cursor node",
        "PageInfo": "hasNextPage endCursor",
        "TrialFilter": "drug condition phase text",
        "ComparisonFilter": "drug comparator endpoint maxPValue statistic derived",
    }
    for type_name, fields in contract.items():
        type_ = schema.get_type(type_name)
        assert type_ is not None, type_name
        missing = set(fields.split()) - set(type_.fields)  # type: ignore[attr-defined]
        assert not missing, f"{type_name} lacks {missing}"
    kinds = schema.get_type("EndpointKind")
    assert set(kinds.values) >= {"PRIMARY", "SECONDARY", "TERTIARY"}  # type: ignore[union-attr]
    statistics = schema.get_type("StatisticType")
    assert set(statistics.values) >= {  # type: ignore[union-attr]
        "RISK_DIFFERENCE",
        "RELATIVE_RISK",
        "ODDS_RATIO",
        "HAZARD_RATIO",
    }
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    assert list(schema.get_type("Trial").interfaces) == [node]  # type: ignore[union-attr]


# One source of truth: shaped properties -> GraphQL fields ----------------------------------------

EKG = "https://w3id.org/evidence-kg/ontology/"
PREFIXES = {
    "ekg:": EKG,
    "schema:": "https://schema.org/",
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf:": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "prov:": "http://www.w3.org/ns/prov#",
}

REACHED_BY = {
    "ekg:about": ["Finding.about"],
    "ekg:allocation": ["Design.allocation"],
    "ekg:allocationRatio": ["Trial.allocationRatio"],
    "ekg:allocationWeight": ["Arm.allocationWeight"],
    "ekg:analysisMethod": ["Comparison.analysisMethod"],
    "ekg:analysisPopulation": ["ArmResult.analysisPopulation", "Comparison.analysisPopulation"],
    "ekg:arm": ["Trial.arms", "ArmResult.arm", "CrossoverResult.fromArm"],
    "ekg:armRole": ["Arm.role"],
    "ekg:authorList": ["Publication.authors"],
    "ekg:ciLevel": ["EffectEstimate.ciLevel"],
    "ekg:ciLower": ["EffectEstimate.ciLower"],
    "ekg:ciUpper": ["EffectEstimate.ciUpper"],
    "ekg:comparator": ["Comparison.comparator"],
    "ekg:comparatorResult": ["Comparison.comparatorResult"],
    "ekg:count": ["ArmResult.count", "CrossoverResult.count"],
    "ekg:countFor": ["ArmResult.countDerived"],
    "ekg:crossoverRule": ["Trial.crossoverRule"],
    "ekg:crossoverTo": ["CrossoverResult.toArm"],
    "ekg:denominator": ["ArmResult.denominator"],
    "ekg:doi": ["Publication.doi"],
    "ekg:doseComparator": ["Dose.comparator"],
    "ekg:doseEscalationAllowed": ["Intervention.doseEscalationAllowed"],
    "ekg:doseUnit": ["Dose.unit"],
    "ekg:doseValue": ["Dose.value"],
    "ekg:drug": ["Intervention.drug"],
    "ekg:endpoint": ["Trial.endpoints", "ArmResult.endpoint", "Comparison.endpoint"],
    "ekg:endpointKind": ["Endpoint.kind"],
    "ekg:enrollment": ["Trial.enrollment"],
    "ekg:estimate": ["Comparison.estimates"],
    "ekg:finding": ["Report.findings"],
    "ekg:findingKind": ["Finding.kind"],
    "ekg:followUp": ["Report.followUp"],
    "ekg:frequency": ["Intervention.frequency"],
    "ekg:inclusionCriterion": ["Population.inclusionCriteria"],
    "ekg:intervention": ["Arm.interventions", "Comparison.intervention"],
    "ekg:interventionModel": ["Design.interventionModel"],
    "ekg:interventionResult": ["Comparison.interventionResult"],
    "ekg:masking": ["Design.masking"],
    "ekg:maximumDuration": ["Intervention.maximumDuration"],
    "ekg:measure": ["ArmResult.measure"],
    "ekg:measureType": ["ArmResult.measureType", "Endpoint.measureType"],
    "ekg:timePointValue": ["ArmResult.timePointValue"],
    "ekg:timePointUnit": ["ArmResult.timePointUnit"],
    "ekg:timePointRelation": ["ArmResult.timePointRelation"],
    "ekg:denominatorKind": ["ArmResult.denominatorKind"],
    "ekg:decimalPlaces": ["ArmResult.decimalPlaces"],
    "ekg:benefitDirection": ["Endpoint.benefitDirection"],
    "ekg:approximate": ["EffectEstimate.approximate"],
    "ekg:approximationNote": ["EffectEstimate.approximationNote"],
    "ekg:countLower": ["ArmResult.countRange"],
    "ekg:countUpper": ["ArmResult.countRange"],
    "ekg:medianTimeToCrossoverMonths": ["CrossoverResult.medianTimeToCrossoverMonths"],
    "ekg:method": ["EffectEstimate.method", "ArmResult.countMethod"],
    "ekg:minimumFollowUp": ["Report.minimumFollowUp"],
    "ekg:participants": ["Arm.participants"],
    "ekg:percentage": ["ArmResult.value", "CrossoverResult.percentage"],
    "ekg:phase": ["Trial.phase"],
    "ekg:population": ["Trial.population"],
    "ekg:primaryCompletionDate": ["Trial.primaryCompletionDate"],
    "ekg:primaryPurpose": ["Design.primaryPurpose"],
    "ekg:publication": ["Report.publication"],
    "ekg:pValue": ["Comparison.pValue"],
    "ekg:pValueComparator": ["Comparison.pValueComparator"],
    "ekg:randomized": ["Trial.randomized"],
    "ekg:registeredPhase": ["Registration.registeredPhase"],
    "ekg:registration": ["Trial.registrations"],
    "ekg:registry": ["Registration.registry"],
    "ekg:registryId": ["Registration.registryId", "Trial.registryIds"],
    "ekg:report": [
        "Trial.reports",
        "ArmResult.report",
        "Comparison.report",
        "CrossoverResult.report",
    ],
    "ekg:reportKind": ["Report.kind"],
    "ekg:resultsFirstPosted": ["Trial.resultsFirstPosted"],
    "ekg:route": ["Intervention.route"],
    "ekg:significant": ["Comparison.significant"],
    "ekg:significanceAssessment": ["Comparison.significanceAssessment"],
    "ekg:significanceLevel": ["SignificanceAssessment.level"],
    "ekg:sourceKey": ["Document.key", "Publication.key"],
    "ekg:startDate": ["Trial.startDate"],
    "ekg:statement": ["Source.statement", "Finding.statement"],
    "ekg:statistic": ["EffectEstimate.statistic"],
    "ekg:timeFrame": ["Endpoint.timeFrame"],
    "ekg:timePoint": ["ArmResult.timePoint"],
    "ekg:unit": ["ArmResult.unit", "ArmResult.unitIri"],
    "prov:entity": ["Source.document"],
    "prov:qualifiedDerivation": ["Trial.sources", "ArmResult.sources", "Comparison.sources"],
    "prov:wasDerivedFrom": ["Trial.sources", "ArmResult.sources", "Comparison.sources"],
    "prov:wasGeneratedBy": ["EffectEstimate.derived", "ArmResult.derived"],
    "rdf:value": ["EffectEstimate.value"],
    "rdfs:label": ["Arm.label", "Report.label", "Comparison.label", "Trial.acronym"],
    "schema:about": ["Document.about"],
    "schema:alternateName": ["Trial.acronym", "Condition.alternateName", "Endpoint.alternateName"],
    "schema:author": ["Publication.authors"],
    "schema:code": ["Drug.xrefs", "Condition.xrefs"],
    "schema:codeValue": ["Xref.code"],
    "schema:codingSystem": ["Xref.scheme"],
    "schema:datePublished": ["Publication.datePublished"],
    "schema:dosageForm": ["Intervention.dosageForm"],
    "schema:healthCondition": ["Trial.conditions", "Population.conditions"],
    "schema:identifier": ["Trial.registryIds", "Publication.doi"],
    "schema:isPartOf": ["Publication.journal"],
    "schema:name": ["Trial.title", "Drug.name", "Condition.name", "Publication.title"],
    "schema:proprietaryName": ["Drug.proprietaryName"],
    "schema:subjectOf": ["Trial.publications", "Trial.documents"],
    "schema:url": ["Document.url", "Xref.iri"],
    "skos:definition": ["Endpoint.definition", "StatisticalMethod.definition"],
    "skos:exactMatch": ["Drug.exactMatch", "Condition.exactMatch"],
}
"""Where each property's values surface in GraphQL."""

NOT_EXPOSED = {
    "rdf:type": "decides the GraphQL type (Query.node, __typename) rather than being a field",
    "schema:trialDesign": "schema.org restatement of the ekg design concepts in Trial.design",
    "schema:sameAs": "the DOI resolver URL, which Publication.url already gives",
    "prov:used": "inputs of a computation: the reported results, reachable from the comparison",
    "prov:wasAssociatedWith": "the software agent; always this software, stated in the README",
}
"""Shaped properties deliberately absent from GraphQL, with the reason."""


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[f"{prefix}:"] + local


def shaped_properties(shapes: Graph) -> set[str]:
    """Every property a shape path names, through alternative and inverse paths."""
    found: set[str] = set()

    def walk(path: object) -> None:
        if isinstance(path, URIRef):
            found.add(str(path))
        elif isinstance(path, BNode):
            for alternative in shapes.objects(path, SH.alternativePath):
                for member in Collection(shapes, alternative):
                    walk(member)
            for inverse in shapes.objects(path, SH.inversePath):
                walk(inverse)
            if (path, RDF.first, None) in shapes:
                for member in Collection(shapes, path):
                    walk(member)

    for path in shapes.objects(None, SH.path):
        walk(path)
    return found


def test_every_shaped_property_with_data_is_reachable(graph: Graph) -> None:
    """A property the shapes describe and the data uses is a GraphQL field, or is in the short
    reasoned NOT_EXPOSED list; every field named in REACHED_BY exists."""
    assert SHAPES, "no SHACL shapes found in ontology/shapes/"
    shapes = Graph()
    for path in SHAPES:
        shapes.parse(path)
    with_data = {p for p in shaped_properties(shapes) if (None, URIRef(p), None) in graph}
    assert len(with_data) > 40
    reached = {_expand(c) for c in REACHED_BY} | {_expand(c) for c in NOT_EXPOSED}
    missing = sorted(with_data - reached)
    assert not missing, f"shaped properties with data but no GraphQL field: {missing}"

    schema = build_schema()._schema
    for curie, fields in REACHED_BY.items():
        for field in fields:
            type_name, _, field_name = field.partition(".")
            type_ = schema.get_type(type_name)
            assert isinstance(type_, GraphQLObjectType | GraphQLInterfaceType), field
            assert field_name in type_.fields, f"{curie}: {field} is not in the schema"
