"""The record format's JSON Schema: valid, shipped, and in step with the importer's words."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from kg.records import vocabulary
from kg.records.check import schema, schema_problems
from kg.records.source import parse_text


def _enums(node: Any, path: str = "") -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if isinstance(node, dict):
        if "enum" in node and all(isinstance(v, str) for v in node["enum"]):
            found[path] = node["enum"]
        for key, value in node.items():
            found.update(_enums(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.update(_enums(value, f"{path}/{index}"))
    return found


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())


def test_every_enumeration_is_a_table_of_the_importer() -> None:
    """An editor offers exactly the words the importer reads: each enumeration of the schema is
    the key set of one vocabulary table (or the dose-escalation words), and every table is
    offered somewhere."""
    tables = {tuple(sorted(t)): name for name, t in vocabulary.TABLES.items()}
    tables[tuple(sorted(vocabulary.SOURCE_KIND))] = "source kind"
    tables[("allowed", "not allowed")] = "dose escalation"
    offered = set()
    for path, values in _enums(schema()).items():
        key = tuple(sorted(values))
        assert key in tables, f"{path}: {values} is no table of kg.records.vocabulary"
        offered.add(tables[key])
    assert set(vocabulary.TABLES) - offered == set()


def test_a_broken_record_gets_one_message_per_mistake_with_its_line() -> None:
    text = "\n".join([
        "record: trial-record/1",
        "id: Not An Id",
        "name: x",
        "identifiers: [NCT1]",
        "condition: x",
        "sources: {S1: x}",
        "references: {S1: {kind: publication, id: a, label: a}}",
        "registrations: [{registry: r, id: i, sources: {S1: x}}]",
        "arms: [{id: a, label: A, role: experimental, participants: 174 patients, sources: {S1: x}}]",
        "phse: phase 3",
    ])
    problems = [p.text() for p in schema_problems(parse_text(text, "r.yaml"))]
    assert any(p.startswith("r.yaml:2 /id:") for p in problems), problems
    assert any(p.startswith("r.yaml:9 /arms/0/participants:") and "such as 174" in p
               for p in problems), problems
    assert any("unknown field 'phse' (did you mean 'phase'?)" in p for p in problems), problems
