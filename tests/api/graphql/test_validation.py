"""Validation without the variable rules gives the errors of every rule, document by document."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from graphql import parse, specified_rules, validate

from api.graphql.schema import build_schema
from api.graphql.validation import VARIABLE_RULES, without_variables

EXAMPLES = Path(__file__).parents[3] / "api" / "graphql" / "examples"

INVALID = [
    '{ trial(id: "NCT01593254") { nope } }',
    "{ trial { acronym } }",
    '{ trial(id: "x") { acronym } trial(id: "y") { acronym } }',
    '{ trial(id: "x") }',
    "query { trial(id: $undefined) { acronym } }",
    "query Q($unused: ID) { trials { totalCount } }",
    "query Q($id: ID!, $id: ID!) { trial(id: $id) { acronym } }",
    "query Q($id: Trial) { trials { totalCount } }",
    "query Q($first: String) { trials(first: $first) { totalCount } }",
    'query Q($v: ID) { trial(id: "$") { acronym } }',
    "{ ...Missing }",
    "fragment F on Nope { acronym } { trials { totalCount } }",
]


def _documents() -> list[str]:
    pages = resources.files("api.pages").joinpath("queries")
    shipped = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.graphql"))]
    shipped += [
        p.read_text(encoding="utf-8") for p in pages.iterdir() if p.name.endswith(".graphql")
    ]
    return shipped + INVALID


@pytest.mark.parametrize("document", _documents())
def test_the_variable_rules_report_nothing_where_they_are_skipped(document: str) -> None:
    schema = build_schema()._schema
    rules = list(specified_rules)
    every = [error.message for error in validate(schema, parse(document), rules)]
    if without_variables(document):
        kept = [rule for rule in rules if rule not in VARIABLE_RULES]
        assert [error.message for error in validate(schema, parse(document), kept)] == every
    assert bool(every) == (document in INVALID)


def test_a_document_with_variables_is_checked_by_every_rule() -> None:
    schema = build_schema()
    result = schema.execute_sync("query Q($unused: ID) { trials { totalCount } }")
    assert result.errors and "Variable '$unused' is never used" in result.errors[0].message
