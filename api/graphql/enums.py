# strawberry's decorators are untyped without its mypy plugin, which pyproject does not enable.
# mypy: disable-error-code="untyped-decorator"
"""GraphQL enums made from the ontology's concept schemes, as :data:`kg.readmodel.declaration.ENUMS`
declares them.

Why from the ontology: an enum written out by hand drifts from its scheme (a registry's "sham
comparator" arm had no GraphQL value). Each value is one concept, described by its definition;
the values the public schema had come first, in their order, and ``OTHER`` (where a scheme has a
catch-all) last, so the SDL only grows.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

import strawberry
from rdflib import Graph, URIRef

from kg.readmodel.declaration import ENUMS, ConceptEnum, enum_name
from kg.settings import Settings
from kg.validate import load_ontology
from kg.vocab import SKOS


@cache
def _ontology() -> Graph:
    """The shipped ontology, read once per process to build the schema's enums (the schema is
    built once too): the data's generation does not change it."""
    return load_ontology(Settings.from_env({}))


def scheme_members(spec: ConceptEnum) -> dict[str, tuple[URIRef, str]]:
    """GraphQL name -> (concept IRI, definition) for every concept of the spec's scheme, in enum
    order."""
    ontology = _ontology()
    found: dict[str, tuple[URIRef, str]] = {}
    for concept in ontology.subjects(SKOS.inScheme, spec.scheme):
        if isinstance(concept, URIRef):
            definition = ontology.value(concept, SKOS.definition)
            found[enum_name(concept, spec)] = (concept, str(definition or ""))

    def order(name: str) -> tuple[int, int, str]:
        if name in spec.first:
            return (0, spec.first.index(name), name)
        return (2 if name == "OTHER" else 1, 0, name)

    return {name: found[name] for name in sorted(found, key=order)}


class ConceptEnumType:
    """One generated enum: the Python enum strawberry serves, and its concepts both ways."""

    def __init__(self, spec: ConceptEnum) -> None:
        members = scheme_members(spec)
        values = {
            name: strawberry.enum_value(name, description=definition or None)
            for name, (_, definition) in members.items()
        }
        python_enum = Enum(spec.name, values)  # type: ignore[misc]
        self.enum: type[Enum] = strawberry.enum(python_enum, description=spec.description)
        self.by_iri: dict[str, Enum] = {
            str(concept): self.enum[name] for name, (concept, _) in members.items()
        }
        self.iri_of: dict[Enum, str] = {member: iri for iri, member in self.by_iri.items()}
        self.order: list[Enum] = list(self.enum)

    def of(self, iri: str | None) -> Enum | None:
        return self.by_iri.get(iri) if iri is not None else None


ENDPOINT_KIND = ConceptEnumType(ENUMS["EndpointKind"])
ARM_ROLE = ConceptEnumType(ENUMS["ArmRole"])
STATISTIC_TYPE = ConceptEnumType(ENUMS["StatisticType"])
BENEFIT_DIRECTION = ConceptEnumType(ENUMS["BenefitDirection"])
TIME_RELATION = ConceptEnumType(ENUMS["TimeRelation"])
DENOMINATOR_KIND = ConceptEnumType(ENUMS["DenominatorKind"])
