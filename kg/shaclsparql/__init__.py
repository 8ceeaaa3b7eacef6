"""SHACL validation evaluated as SPARQL by the store itself: a second engine beside pySHACL.

Why: pySHACL validates a node at a time in Python (about 25 s for 1,000 synthetic trials) and
needs an rdflib copy of the data; a registry-sized graph (100,000 trials, 30 M triples) must be
validated where it lives. This package compiles the shapes graph into a few SPARQL queries per
targeted shape, runs them through the :class:`kg.store.Store` seam (oxigraph on disk, rdflib,
or a remote endpoint) and turns the rows, which are only the failures, into the same
:class:`kg.validate.ValidationResult` values pySHACL's report gives. pySHACL stays the
reference: ``tests/kg/shaclsparql`` compares both engines on every fixture.

* :mod:`kg.shaclsparql.compile` reads the shapes graph and writes the queries; a constraint
  component it does not implement is an :class:`UnsupportedShapeError`, never skipped.
* :mod:`kg.shaclsparql.sparql_constraint` binds the focus nodes into SHACL-SPARQL constraints.
* :mod:`kg.shaclsparql.run` evaluates the queries on a store and builds the report.
"""

from kg.shaclsparql.compile import CompiledShapes, UnsupportedShapeError, compile_shapes
from kg.shaclsparql.run import validate_store

__all__ = ["CompiledShapes", "UnsupportedShapeError", "compile_shapes", "validate_store"]
