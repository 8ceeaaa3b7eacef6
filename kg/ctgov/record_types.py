"""The JSON type of every place in a registry study record, as the registry's schema gives it.

Why: a record whose module is a string, or whose count is text, is not one the mapping can read,
and an error deep inside it ("'str' object has no attribute 'get'") says neither what nor where.
Checked against these types first, the record is refused with the place and the types:
``/protocolSection/statusModule is a JSON string where the registry's schema has an object``.

The table (``record_types.json``, one line per place, ``*`` standing for any array index) is made
from the registry's OpenAPI description of API v2 by :func:`types_from_openapi`; a test proves it
equals what that function makes of the copy in ``tests/data/ctgov``. A place the table does not
know (a field newer than the schema) is not checked; nulls are absent values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("record_types.json")

Types = dict[str, str]
"""JSON pointer pattern (``/resultsSection/.../*/pValue``) -> object, array, string, integer,
number or boolean."""


def types_from_openapi(spec: Mapping[str, Any], root: str = "Study") -> Types:
    """Every place under the ``root`` schema of an OpenAPI document, with its JSON type."""
    schemas: Mapping[str, Any] = spec["components"]["schemas"]
    found: Types = {}

    def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = schemas[str(schema["$ref"]).rsplit("/", 1)[-1]]
        return schema

    def walk(schema: Mapping[str, Any], place: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            if name in seen:
                return
            seen = seen | {name}
        schema = resolve(schema)
        kind = schema.get("type", "object" if "properties" in schema else None)
        if kind is None:
            return
        if place:
            found[place] = str(kind)
        for key, child in (schema.get("properties") or {}).items():
            walk(child, f"{place}/{key}", seen)
        if kind == "array" and "items" in schema:
            walk(schema["items"], f"{place}/*", seen)

    walk({"$ref": f"#/components/schemas/{root}"}, "", frozenset())
    return dict(sorted(found.items()))


@cache
def _tree() -> dict[str, Any]:
    """The table as nested dicts: each place's type under ``""``, its children by key. Read once
    per process: it is a file shipped with the package, which no data changes."""
    tree: dict[str, Any] = {}
    table: Types = json.loads(TABLE.read_text(encoding="utf-8"))
    for place, kind in table.items():
        node = tree
        for key in place.split("/")[1:]:
            node = node.setdefault(key, {})
        node[""] = kind
    return tree


_JSON_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


def _fits(value: object, kind: str) -> bool:
    actual = _JSON_NAMES.get(type(value))
    return actual == kind or (kind == "number" and actual == "integer")


def misplaced(study: object) -> str | None:
    """The first place in ``study`` whose value is not of its schema type, said as a sentence
    with its JSON pointer; None when every known place fits.

    >>> misplaced({"protocolSection": {"statusModule": "RECRUITING"}})
    "/protocolSection/statusModule is a JSON string where the registry's schema has an object"
    >>> misplaced({"protocolSection": {"designModule": {"enrollmentInfo": {"count": "120"}}}})
    "/protocolSection/designModule/enrollmentInfo/count is a JSON string where the registry's schema has an integer"
    """
    stack: list[tuple[object, dict[str, Any], str]] = [(study, _tree(), "")]
    while stack:
        value, node, place = stack.pop()
        kind = node.get("")
        if value is None:
            continue
        if kind is not None and not _fits(value, kind):
            actual = _JSON_NAMES.get(type(value), "value")
            article = "an" if kind[0] in "aeiou" else "a"
            return f"{place or '/'} is a JSON {actual} where the registry's schema has {article} {kind}"
        if isinstance(value, dict):
            for key in reversed(list(value)):
                child = node.get(key)
                if child is not None:
                    stack.append((value[key], child, f"{place}/{key}"))
        elif isinstance(value, list) and "*" in node:
            items = node["*"]
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], items, f"{place}/{index}"))
    return None
