"""Content negotiation: q-values, wildcards, specificity, 406."""

from __future__ import annotations

import pytest

from api.conneg import negotiate, parse_accept

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("text/*", "text/csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.8", "application/sparql-results+xml"),
        ("*/*;q=0.1, text/csv", "text/csv"),
        (
            "application/*;q=0.5, application/sparql-results+json;q=0",
            "application/sparql-results+xml",
        ),
        ("text/csv;charset=utf-8;q=0.7, */*;q=0.6", "text/csv"),
        ("image/png", None),
        ("text/csv;q=0, image/*", None),
        ("garbage, , ;;", "application/sparql-results+json"),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, RESULTS) == expected


def test_more_specific_range_wins_over_wildcard() -> None:
    assert negotiate("text/*;q=1, text/csv;q=0", ["text/csv", "text/turtle"]) == "text/turtle"


def test_ties_go_to_the_server_order() -> None:
    assert negotiate(
        "text/turtle, application/ld+json", ["application/ld+json", "text/turtle"]
    ) == ("application/ld+json")


def test_invalid_q_is_treated_as_one_and_clamped() -> None:
    assert [r.q for r in parse_accept("a/b;q=x, c/d;q=7, e/f;q=-1")] == [1.0, 1.0, 0.0]
