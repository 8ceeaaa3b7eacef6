"""A record checked against the versioned JSON Schema, with curator messages, then mapped.

Why the schema first: it is what an editor checks a record against as it is typed
(``kg/records/schema/trial-record-1.schema.json``, shipped in the package),
so the importer must refuse exactly what an editor underlines, and say it the same way for every
field. jsonschema's own messages speak of instances and types; :func:`schema_problems` says
what a curator should write instead, at the record path and line.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from kg.records.mapping import Problem, RecordGraph, map_record, trial_iri
from kg.records.reference import ReferenceIndex
from kg.records.source import RecordText

SCHEMA_FILE = "trial-record-1.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of version 1 of the record format (a shipped file, read once per process;
    no data changes it)."""
    text = resources.files("kg.records").joinpath("schema", SCHEMA_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def is_trial_id(text: str) -> bool:
    """Whether ``text`` is a trial id as records give them (the schema's ``$defs/id``: lower-case
    letters, digits and hyphens), the segment of the trial's IRI and graph."""
    return re.fullmatch(schema()["$defs"]["id"]["pattern"], text) is not None


@cache
def _validator() -> Draft202012Validator:
    """The schema's validator, made once per process, as the schema is read once."""
    return Draft202012Validator(schema())


_KIND = {"integer": "a whole number", "string": "text", "array": "a list", "object": "a mapping",
         "number": "a number", "boolean": "yes or no"}


def _message(error: ValidationError) -> str:
    """What the curator should write instead, in words."""
    value = error.instance
    field = str(error.path[-1]) if error.path else "the record"
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else "a field"
        return f"`{missing}` is missing: every {field if error.path else 'record'} needs it"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties") or {})
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        hints = []
        for key in extra:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return f"unknown field {', '.join(hints)}; this part knows: {', '.join(allowed)}"
    if error.validator == "type":
        expected = error.validator_value
        kinds = [str(k) for k in (expected if isinstance(expected, list) else [expected])]
        wanted = " or ".join(_KIND.get(k, k) for k in kinds)
        if expected == "integer" and isinstance(value, str) and value.strip().endswith("%"):
            return (f"{field}: expected a whole number, got the percentage {value!r} as text (a "
                    "share belongs in `value`, a count here)")
        if expected == "integer" and isinstance(value, str):
            return f"{field}: expected a whole number such as 174, got the text {value!r}"
        return f"{field}: expected {wanted}, got {value!r}"
    if error.validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        close = difflib.get_close_matches(str(value), [str(o) for o in error.validator_value], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{field}: {value!r} is not a value this format knows{hint}; write one of: {options}"
    if error.validator == "const":
        return f"{field}: expected {error.validator_value!r}, got {value!r}"
    if error.validator == "pattern":
        described = error.schema.get("description") if isinstance(error.schema, dict) else None
        return f"{field}: {value!r} is not written as expected" + (
            f": {described}" if described else f" (pattern {error.validator_value})"
        )
    if error.validator in ("minItems", "maxItems", "minProperties", "minLength"):
        return f"{field}: {error.message}"
    if error.validator == "minimum":
        return f"{field}: {value!r} is below {error.validator_value}"
    return f"{field}: {error.message}"


def schema_problems(record: RecordText) -> list[Problem]:
    """Every place the record breaks the JSON Schema, each with its path, line and message."""
    problems = []
    for error in sorted(_validator().iter_errors(record.data), key=lambda e: list(map(str, e.path))):
        problems.append(Problem(record.where(tuple(error.path)), _message(error)))
    return problems


def record_graph(record: RecordText, base_iri: str, reference: ReferenceIndex) -> RecordGraph:
    """The record checked against the schema and, if it conforms, mapped to the trial's graph.
    A record that breaks the schema is not mapped: its problems are the schema's."""
    problems = schema_problems(record)
    if problems:
        from rdflib import Graph

        return RecordGraph(trial_iri(base_iri, record.trial_id or "unnamed"), Graph(),
                           problems=problems)
    return map_record(record, base_iri, reference)


RECORD_SUFFIXES = (".yaml", ".yml", ".json")


def is_record_file(path: Path) -> bool:
    """Whether a curated file is a trial record (else it is RDF)."""
    return path.suffix.lower() in RECORD_SUFFIXES


def read_record_file(
    path: Path, *, base_iri: str, reference: ReferenceIndex, max_bytes: int
) -> RecordGraph:
    """A curated record file as the trial's graph; :class:`kg.parse.InputError` naming the file
    and line when it is unreadable or has a mistake (a build publishes nothing half-right)."""
    from kg.parse import InputError
    from kg.records.source import RecordError, parse_text

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(str(path), f"the file is {size} bytes, over the {max_bytes}-byte limit")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"not UTF-8 text (byte {error.start})") from error
    try:
        record = parse_text(text, str(path))
    except RecordError as error:
        raise InputError(error.where, error.message) from error
    mapped = record_graph(record, base_iri, reference)
    if mapped.errors:
        first = mapped.errors[0]
        more = f" (and {len(mapped.errors) - 1} more: kg import record lists them all)"
        raise InputError(first.where, first.message + (more if len(mapped.errors) > 1 else ""))
    return mapped
