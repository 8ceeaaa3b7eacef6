"""How SHACL fixtures state their expected results, shared by every test that checks them.

A FAIL fixture's ``.expected.json`` lists (focus, path, component, severity, shape) rows with
IRIs compacted by :data:`PREFIXES`; fixtures use ``ex:`` for their own nodes. A PASS fixture has
no sidecar and expects nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rdflib.namespace import RDF, SH

from kg.validate import SHAPES_IRI, ValidationReport, compact, display_path

PREFIXES = (
    ("ex", "http://example.org/kg/"),
    ("ekgsh", SHAPES_IRI),
    ("ekg", "https://w3id.org/evidence-kg/ontology/"),
    ("sh", str(SH)),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("schema", "https://schema.org/"),
    ("rdf", str(RDF)),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("obo", "http://purl.obolibrary.org/obo/"),
    ("unit", "http://qudt.org/vocab/unit/"),
)
"""How expected files write IRIs."""

Row = tuple[str, str | None, str, str, str]


def expected_path(fixture: Path) -> Path:
    return fixture.with_name(fixture.name.removesuffix(".ttl") + ".expected.json")


def expected_rows(fixture: Path) -> Counter[Row]:
    """The rows a fixture's sidecar lists; none for a PASS fixture (it has no sidecar)."""
    sidecar = expected_path(fixture)
    if not sidecar.exists():
        return Counter()
    document = json.loads(sidecar.read_text(encoding="utf-8"))
    return Counter(
        (row["focus"], row["path"], row["component"], row["severity"], row["shape"])
        for row in document["results"]
    )


def rows(report: ValidationReport) -> Counter[Row]:
    """A report's results as the sidecars write them."""
    return Counter(
        (
            compact(r.focus_node, PREFIXES),
            None if r.path is None else display_path(r.path, PREFIXES),
            compact(r.constraint_component, PREFIXES),
            r.severity,
            compact(r.source_constraint or r.source_shape, PREFIXES),
        )
        for r in report.results
    )
