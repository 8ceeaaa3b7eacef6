"""The read model's declaration against the model, the ontology and the shapes, and the GraphQL
enums against the concept schemes: one declaration, checked where it could drift."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.readmodel import declaration
from kg.readmodel.declaration import ENTITIES, ENUMS, Entity, Field, enum_name
from kg.vocab import EKG, RDF, RDFS, SH, SKOS, XSD

IDS = [entity.model.__name__ for entity in ENTITIES]


def superclasses(ontology: Graph, cls: URIRef) -> set[Node]:
    return set(ontology.transitive_objects(cls, RDFS.subClassOf))


def paths(shapes: Graph, path: Node) -> set[Node]:
    """The predicates a SHACL path reads (a predicate, or each branch of an alternative path)."""
    if isinstance(path, URIRef):
        return {path}
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return {p for member in Collection(shapes, alternatives) for p in paths(shapes, member)}
    return set()


def property_shapes(shapes: Graph, ontology: Graph, entity: Entity[object], predicate: URIRef) -> Iterator[Node]:
    """Property shapes on ``predicate`` that apply to the entity's nodes: through a node shape
    targeting one of its classes (or a superclass), or one targeting subjects of the predicate."""
    classes = {c for cls in entity.classes for c in superclasses(ontology, cls)}
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        targeted = set(shapes.objects(node_shape, SH.targetClass))
        subjects_of = set(shapes.objects(node_shape, SH.targetSubjectsOf))
        if not (targeted & classes or predicate in subjects_of):
            continue
        for property_shape in shapes.objects(node_shape, SH.property):
            path = shapes.value(property_shape, SH.path)
            if path is not None and predicate in paths(shapes, path):
                yield property_shape


@pytest.mark.parametrize("entity", ENTITIES, ids=IDS)
def test_every_model_attribute_is_declared_and_every_declaration_is_an_attribute(
    entity: Entity[object],
) -> None:
    assert declaration.model_attributes(entity) == declaration.declared_attributes(entity)


@pytest.mark.parametrize("entity", ENTITIES, ids=IDS)
def test_every_declared_term_is_in_the_ontology(entity: Entity[object], ontology: Graph) -> None:
    terms = [*entity.classes, *(p for f in entity.fields for p in f.predicates)]
    terms += [f.link for f in entity.fields if f.link is not None]
    for term in terms:
        if str(term).startswith(str(EKG)):
            assert (term, RDF.type, None) in ontology, term


@pytest.mark.parametrize("entity", ENTITIES, ids=IDS)
def test_single_values_are_read_from_properties_the_shapes_allow_once(
    entity: Entity[object], shapes: Graph, ontology: Graph
) -> None:
    """A field that keeps one value reads a property with sh:maxCount 1 where the entity's nodes
    are checked, or the declaration says why a node may have several."""
    wrong = []
    for spec in entity.fields:
        if spec.conversion not in declaration.SINGLE or spec.first_of_several:
            continue
        for predicate in spec.predicates:
            single = {
                shape
                for shape in property_shapes(shapes, ontology, entity, predicate)
                if paths(shapes, shapes.value(shape, SH.path)) == {predicate}
                # One value, or one per language (labels): the read keeps the smallest.
                and (shapes.value(shape, SH.maxCount) == Literal(1)
                     or shapes.value(shape, SH.uniqueLang) == Literal(True))
            }
            if not single:
                wrong.append(f"{spec.name} ({predicate})")
    assert wrong == [], f"{entity.model.__name__}: no shape allows these once: {wrong}"


NUMBER_TYPES = {
    "integer": {XSD.integer},
    "number": {XSD.decimal, XSD.integer},
    "boolean": {XSD.boolean},
    "date": {XSD.date},
}


def datatypes(shapes: Graph, shape: Node) -> set[Node]:
    found = set(shapes.objects(shape, SH.datatype))
    for alternatives in shapes.objects(shape, SH["or"]):
        for member in Collection(shapes, alternatives):
            found |= set(shapes.objects(member, SH.datatype))
    return found


@pytest.mark.parametrize("entity", ENTITIES, ids=IDS)
def test_conversions_agree_with_the_datatypes_and_classes_the_shapes_require(
    entity: Entity[object], shapes: Graph, ontology: Graph
) -> None:
    wrong = []
    for spec in entity.fields:
        for predicate in spec.predicates:
            found = list(property_shapes(shapes, ontology, entity, predicate))
            if spec.conversion in NUMBER_TYPES:
                typed = set().union(*(datatypes(shapes, shape) for shape in found)) if found else set()
                if not typed & NUMBER_TYPES[spec.conversion]:
                    wrong.append(_where(entity, spec, predicate, typed))
            if spec.conversion in ("iri", "iris", "label") and spec.link is not None:
                classes = {shapes.value(shape, SH["class"]) for shape in found} - {None}
                if spec.link not in classes:
                    wrong.append(_where(entity, spec, predicate, classes))
    assert wrong == []


def _where(entity: Entity[object], spec: Field, predicate: URIRef, found: object) -> str:
    return f"{entity.model.__name__}.{spec.name} reads {predicate}; the shapes say {found}"


def test_labelled_predicates_are_exactly_the_label_fields() -> None:
    from kg.readmodel.read import LABELLED

    assert LABELLED == {str(p) for e in ENTITIES for f in e.fields if f.conversion == "label" for p in f.predicates}


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_each_enum_has_one_value_per_concept_of_its_scheme(name: str, ontology: Graph) -> None:
    """A concept added to a scheme becomes a GraphQL value; two concepts never share a name."""
    from api.graphql.enums import scheme_members

    spec = ENUMS[name]
    concepts = set(ontology.subjects(SKOS.inScheme, spec.scheme))
    members = scheme_members(spec)
    assert {concept for concept, _ in members.values()} == concepts
    assert len({enum_name(c, spec) for c in concepts}) == len(concepts)
    assert list(members)[: len(spec.first)] == list(spec.first)


def test_the_public_enum_values_are_all_still_there() -> None:
    """The SDL is the contract: the values the schema had before the enums were made from the
    ontology stay (api/schema.graphql is compared whole by tests/api/graphql/test_schema.py)."""
    from api.graphql.enums import ARM_ROLE, ENDPOINT_KIND, STATISTIC_TYPE

    assert {"PRIMARY", "SECONDARY", "TERTIARY"} <= {m.name for m in ENDPOINT_KIND.enum}
    assert {"EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR"} <= {m.name for m in ARM_ROLE.enum}
    assert {"RISK_DIFFERENCE", "RELATIVE_RISK", "ODDS_RATIO", "HAZARD_RATIO", "PROPORTION", "OTHER"} <= {
        m.name for m in STATISTIC_TYPE.enum
    }
    assert list(STATISTIC_TYPE.enum)[-1].name == "OTHER"
