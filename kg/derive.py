"""Derived facts: placeholder replaced in the next commit."""

from __future__ import annotations

from rdflib import Graph


def derive(curated: Graph, *, base_iri: str) -> Graph:
    return Graph()
