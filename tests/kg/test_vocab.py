"""kg.vocab names only terms the ontology declares, and a typo fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.vocab import EKG, RDF

ONTOLOGY = Path(__file__).parents[2] / "ontology" / "evidence.ttl"


def test_every_term_named_in_code_is_declared_in_the_ontology() -> None:
    ontology = Graph().parse(ONTOLOGY)
    declared = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
    named = {getattr(EKG, term) for term in EKG.__annotations__ if not term.startswith("_")}
    assert named - declared == set()


def test_a_term_is_an_iri_and_a_typo_is_an_attribute_error() -> None:
    assert EKG.Trial == URIRef("https://w3id.org/evidence-kg/ontology/Trial")
    assert type(EKG.Trial) is URIRef
    with pytest.raises(AttributeError, match="Trail"):
        _ = EKG.Trail
