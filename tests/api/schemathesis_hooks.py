"""What schemathesis must know to make requests this API calls valid, which neither JSON Schema
nor GraphQL's type system can say.

Why: ``format: sparql-query`` says a string must be a SPARQL query, ``format: json-object`` a
JSON object in a string, and ``format: page-cursor`` a cursor of the server's own making;
schemathesis, knowing no such formats, would send random text as "valid" data and then report
the 400 it gets as a valid request refused. Likewise a GraphQL
``first`` is an ``Int`` whose range (0 to 100) only its description states, an ``after`` cursor
is a token only the server hands out, and a comparison filter's ``statistic`` may be any
``StatisticType`` but ``OTHER`` (which names no statistic): generated queries get ``first``
brought into range and made-up cursors and ``OTHER`` filters left out, so that a refusal of what
remains is a real finding.

Loaded by ``schemathesis.toml`` (``hooks``), so that ``schemathesis run`` from the checkout and
tests/api/test_schemathesis.py generate the same requests.
"""

from __future__ import annotations

import json
from pathlib import Path

import schemathesis
from graphql import (
    REMOVE,
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    Visitor,
    visit,
)
from hypothesis import strategies as st

from api.graphql.limits import MAX_PAGE_SIZE
from kg.readmodel.listing import encode_cursor
from kg.sparql.service import example_queries

TRIALS = ["https://w3id.org/evidence-kg/id/trial/dascern", "https://w3id.org/evidence-kg/id/nowhere"]

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)
"""Free text to put in a query's string literals (JSON-encoded, which SPARQL reads too)."""
small = st.integers(min_value=0, max_value=40)

sparql_queries = st.one_of(
    st.sampled_from([example.text for example in example_queries()]),
    small.map("SELECT * WHERE {{ ?s ?p ?o }} LIMIT {}".format),
    words.map(lambda text: f"ASK {{ ?s ?p {json.dumps(text, ensure_ascii=False)} }}"),
    st.sampled_from(TRIALS).map("DESCRIBE <{}>".format),
    st.sampled_from(TRIALS).map("CONSTRUCT {{ <{0}> ?p ?o }} WHERE {{ <{0}> ?p ?o }}".format),
    st.just("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
)
json_objects = st.dictionaries(words, st.one_of(st.none(), st.booleans(), small, words), max_size=3)

schemathesis.openapi.format("sparql-query", sparql_queries)
schemathesis.openapi.format("json-object", json_objects.map(json.dumps))
REGISTRY_RECORD = Path(__file__).parents[1] / "data" / "ctgov" / "NCT05594173.json"
"""A real ClinicalTrials.gov study record (tests/data/ctgov), for the mutations' ``JSON``."""


def literal(value: object) -> ValueNode:
    """A JSON value as a GraphQL literal (object keys must be GraphQL names, as generated)."""
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(literal(item) for item in value))
    assert isinstance(value, dict)
    return ObjectValueNode(
        fields=tuple(
            ObjectFieldNode(name=NameNode(value=key), value=literal(item))
            for key, item in value.items()
        )
    )


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | small | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)
records = st.one_of(
    st.just(json.loads(REGISTRY_RECORD.read_text(encoding="utf-8"))),
    st.dictionaries(names, json_values, max_size=4),
)
"""What a client may send as a record: the real one, or any JSON object (which the write path
must refuse with a reason, never an error)."""
schemathesis.graphql.scalar("JSON", records.map(literal))

schemathesis.openapi.format(
    "page-cursor", st.tuples(words, st.sampled_from(TRIALS)).map(lambda a: encode_cursor(*a))
)


INT_RANGE = range(-(2**31), 2**31)
"""GraphQL's ``Int``: a value outside is a negative test's, which must stay invalid."""


class ValidArguments(Visitor):
    """``first`` folded into 0..MAX_PAGE_SIZE, string ``after`` cursors and ``statistic: OTHER``
    removed; what a negative test made invalid (a non-integer ``first``, one beyond 32 bits) is
    left as it is."""

    def enter_argument(self, node: ArgumentNode, *_: object) -> object:
        if (
            node.name.value == "first"
            and isinstance(node.value, IntValueNode)
            and int(node.value.value) in INT_RANGE
        ):
            size = abs(int(node.value.value)) % (MAX_PAGE_SIZE + 1)
            return ArgumentNode(name=node.name, value=IntValueNode(value=str(size)))
        if node.name.value == "after" and isinstance(node.value, StringValueNode):
            return REMOVE
        return None

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> object:
        other = isinstance(node.value, EnumValueNode) and node.value.value == "OTHER"
        return REMOVE if node.name.value == "statistic" and other else None


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: object) -> object:
    """GraphQL documents with valid arguments (:class:`ValidArguments`); other bodies as they
    are."""
    return visit(body, ValidArguments()) if isinstance(body, DocumentNode) else body
