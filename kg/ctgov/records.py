"""Reading ClinicalTrials.gov API v2 study records from files, folders and standard input.

A record arrives as one study object (``GET /api/v2/studies/{nctId}``), a page of them
(``{"studies": [...]}``, as ``GET /api/v2/studies`` returns), JSON Lines (one study per line), or
a folder of such files (read in name order, recursively). Records are read lazily, one file at a
time, so a folder of 100,000 records costs the memory of one.

What cannot be read is a :class:`RecordError` naming the file (with the line, or the place in a
page) and what is wrong: malformed or truncated JSON, a value that is not a study record (the
first field a study must have and this one lacks, or the first place whose value is not of the
type the registry's schema gives it: :mod:`kg.ctgov.record_types`), text that is not UTF-8. The reader goes on
with the next input, so one broken file does not keep the others out; the caller decides the
exit code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kg.ctgov.record_types import misplaced
from kg.outcomes import UnreadableInput, input_texts

SUFFIXES = (".json", ".jsonl", ".ndjson")
"""Files a folder is searched for."""

REQUIRED: tuple[tuple[str, ...], ...] = (
    ("protocolSection",),
    ("protocolSection", "identificationModule"),
    ("protocolSection", "identificationModule", "nctId"),
)
"""What every study record has, in the order a missing one is reported."""

NCT_ID = re.compile(r"(NCT|nct)\d{8}")
"""An NCT number, as the registry's OpenAPI document gives its pattern (``/studies/{nctId}``:
``^(NCT|nct)\\d{8}$``). The id names the trial's IRI and graph, so nothing else may pass."""


class RecordError(UnreadableInput):
    """An input that is not a readable study record; ``str()`` says where and what."""


@dataclass(frozen=True)
class Record:
    """One study record and where it came from."""

    study: dict[str, Any]
    origin: str
    """The file, with the line (JSON Lines) or the page index, for messages."""

    @property
    def nct_id(self) -> str:
        return str(self.study["protocolSection"]["identificationModule"]["nctId"])


def missing_field(value: object) -> str | None:
    """The first field of :data:`REQUIRED` that ``value`` lacks, as a dotted path; None if
    ``value`` has them all (and the NCT id is a string).

    >>> missing_field({"protocolSection": {"identificationModule": {}}})
    'protocolSection.identificationModule.nctId'
    >>> missing_field([1, 2])
    'protocolSection (the value is a JSON array, not a study object)'
    """
    if not isinstance(value, dict):
        kind = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
        name = kind.get(type(value), "null")
        return f"protocolSection (the value is a JSON {name}, not a study object)"
    node: object = value
    for path in REQUIRED:
        node = value
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None or (path[-1] == "nctId" and not isinstance(node, str)):
            return ".".join(path)
    return None


def study_record(value: object, where: str) -> Record:
    """``value`` as a study record from ``where``, or a :class:`RecordError` saying the first
    thing that keeps it from being one: a missing field, an id that is not an NCT number, a
    value of the wrong JSON type. Every way in (files, standard input, a write over HTTP)
    reads a study through here."""
    missing = missing_field(value)
    if missing is not None:
        raise RecordError(where, f"not a ClinicalTrials.gov study record: no {missing}")
    assert isinstance(value, dict)
    nct_id = value["protocolSection"]["identificationModule"]["nctId"]
    if not NCT_ID.fullmatch(nct_id):
        raise RecordError(
            where,
            "not a ClinicalTrials.gov study record: /protocolSection/identificationModule/nctId "
            f"is {nct_id!r}, not an NCT number (NCT and 8 digits)",
        )
    wrong = misplaced(value)
    if wrong is not None:
        raise RecordError(where, f"not a readable study record: {wrong}")
    assert isinstance(value, dict)
    return Record(value, where)


def _from_text(text: str, name: str, jsonl: bool) -> Iterator[Record | RecordError]:
    if not jsonl:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            # Several JSON values, one per line, without a .jsonl suffix: read as JSON Lines.
            if error.msg == "Extra data" and "\n" in text.strip():
                yield from _from_text(text, name, jsonl=True)
                return
            body = text.strip()
            ends_early = error.pos >= len(text.rstrip()) or (
                body[:1] in "{[" and body[-1:] not in "}]"
            )
            truncated = " (the file ends early)" if ends_early else ""
            yield RecordError(
                f"{name}:{error.lineno}:{error.colno}", f"malformed JSON: {error.msg}{truncated}"
            )
            return
        if isinstance(value, dict) and "studies" in value and "protocolSection" not in value:
            studies = value["studies"]
            if not isinstance(studies, list):
                yield RecordError(name, "not a page of study records: 'studies' is not a list")
                return
            for index, study in enumerate(studies):
                try:
                    yield study_record(study, f"{name}#/studies/{index}")
                except RecordError as error:
                    yield error
            return
        try:
            yield study_record(value, name)
        except RecordError as error:
            yield error
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield RecordError(f"{where}:{error.colno}", f"malformed JSON: {error.msg}")
            continue
        try:
            yield study_record(value, where)
        except RecordError as error:
            yield error


def read_records(paths: Iterable[str]) -> Iterator[Record | RecordError]:
    """Every study record in ``paths`` (files, folders, ``-`` for standard input), in order,
    with a :class:`RecordError` in place of each input that cannot be read."""
    for item in input_texts(paths, SUFFIXES):
        if isinstance(item, UnreadableInput):
            yield RecordError(item.where, item.message)
            continue
        yield from _from_text(item.text, item.name, jsonl=item.suffix in (".jsonl", ".ndjson"))
