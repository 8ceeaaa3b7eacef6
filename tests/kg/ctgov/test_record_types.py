"""The record types table is the registry's schema, and a record that breaks it is refused at
the place it breaks it, before anything is mapped."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.ctgov.record_types import TABLE, misplaced, types_from_openapi
from kg.ctgov.records import Record, RecordError, read_records

DATA = Path(__file__).parents[2] / "data" / "ctgov"


def test_the_table_is_what_the_registrys_openapi_description_gives() -> None:
    spec = yaml.safe_load((DATA / "ctg-oas-v2.yaml").read_text(encoding="utf-8"))
    assert json.loads(TABLE.read_text(encoding="utf-8")) == types_from_openapi(spec)


@pytest.mark.parametrize("path", sorted(DATA.glob("NCT*.json")), ids=lambda p: p.stem)
def test_every_real_record_fits(path: Path) -> None:
    assert misplaced(json.loads(path.read_text(encoding="utf-8"))) is None


def phase3() -> dict[str, Any]:
    study: dict[str, Any] = json.loads((DATA / "NCT02552212.json").read_text(encoding="utf-8"))
    return study


@pytest.mark.parametrize(
    ("place", "value", "said"),
    [
        (("protocolSection", "statusModule"), "RECRUITING",
         "/protocolSection/statusModule is a JSON string where the registry's schema has an object"),
        (("protocolSection", "designModule", "phases"), "PHASE3",
         "/protocolSection/designModule/phases is a JSON string where the registry's schema has an array"),
        (("resultsSection", "outcomeMeasuresModule", "outcomeMeasures", 27, "analyses", 0, "pValue"), 0.247,
         "/resultsSection/outcomeMeasuresModule/outcomeMeasures/27/analyses/0/pValue is a JSON number "
         "where the registry's schema has a string"),
        (("protocolSection", "designModule", "enrollmentInfo", "count"), "three hundred",
         "/protocolSection/designModule/enrollmentInfo/count is a JSON string where the registry's "
         "schema has an integer"),
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_its_place(
    place: tuple[str | int, ...], value: object, said: str
) -> None:
    study = phase3()
    node: Any = study
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = value
    assert misplaced(study) == said


def test_nulls_and_fields_the_schema_does_not_know_are_let_through() -> None:
    study = phase3()
    study["protocolSection"]["statusModule"]["whyStopped"] = None
    study["protocolSection"]["newerModule"] = {"anything": [1, "two"]}
    assert misplaced(study) is None


def test_the_reader_refuses_such_a_record_and_reads_the_next(tmp_path: Path) -> None:
    broken = phase3()
    broken["protocolSection"]["designModule"]["designInfo"] = ["RANDOMIZED"]
    lines = [json.dumps(broken), json.dumps(copy.deepcopy(phase3()))]
    (tmp_path / "two.jsonl").write_text("\n".join(lines), encoding="utf-8")
    first, second = read_records([str(tmp_path / "two.jsonl")])
    assert isinstance(first, RecordError) and first.where.endswith("two.jsonl:1")
    assert "/protocolSection/designModule/designInfo is a JSON array" in first.message
    assert isinstance(second, Record)
