"""The words of a trial record stand for terms the ontology and the shapes accept: what the
importer writes for a word is a concept of the one scheme its field ranges over, and the study
designs are the schema.org IRIs the trial shape takes (the JSON Schema's side of the same tables
is tests/kg/records/test_schema.py)."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef

from kg.records import vocabulary
from kg.vocab import SH, SKOS

CONCEPT_TABLES = sorted(set(vocabulary.TABLES) - {"design"})
"""Every table but the study designs, which are schema.org's own IRIs."""

TRIAL_DESIGN_SHAPE = URIRef("https://w3id.org/evidence-kg/shapes/Trial-trialDesign")


@pytest.mark.parametrize("name", CONCEPT_TABLES)
def test_each_word_names_a_concept_of_the_tables_one_scheme(name: str, ontology: Graph) -> None:
    table = vocabulary.TABLES[name]
    outside = [word for word, term in table.items() if (term, SKOS.inScheme, None) not in ontology]
    assert outside == [], f"{name}: no concept of any scheme: {outside}"
    schemes = {scheme for term in table.values() for scheme in ontology.objects(term, SKOS.inScheme)}
    assert len(schemes) == 1, f"{name} mixes schemes: {sorted(schemes)}"


def test_every_study_design_is_one_the_trial_shape_takes(shapes: Graph) -> None:
    pattern = shapes.value(TRIAL_DESIGN_SHAPE, SH.pattern)
    assert pattern is not None, "the trial shape no longer constrains schema:trialDesign"
    refused = [word for word, iri in vocabulary.DESIGN.items() if not re.search(str(pattern), iri)]
    assert refused == []
