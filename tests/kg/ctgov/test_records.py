"""Reading registry records: every input form, and a clear error for every broken one."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from kg.ctgov.records import Record, RecordError, missing_field, read_records

DATA = Path(__file__).parents[2] / "data" / "ctgov"
RECORDS = sorted(DATA.glob("NCT*.json"))


def ids(items: list[Record | RecordError]) -> list[str]:
    return [item.nct_id if isinstance(item, Record) else f"error: {item}" for item in items]


def test_a_folder_reads_every_record_in_name_order() -> None:
    items = list(read_records([str(DATA)]))
    assert ids(items) == [path.stem for path in RECORDS]
    assert all(isinstance(item, Record) and item.origin.endswith(".json") for item in items)


def test_a_page_and_json_lines_give_each_study_with_its_place(tmp_path: Path) -> None:
    studies = [json.loads(path.read_text()) for path in RECORDS[:2]]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies, "nextPageToken": "abc"}))
    lines = tmp_path / "studies.jsonl"
    lines.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
    from_page = list(read_records([str(page)]))
    from_lines = list(read_records([str(lines)]))
    assert ids(from_page) == ids(from_lines) == [p.stem for p in RECORDS[:2]]
    assert [r.origin for r in from_page if isinstance(r, Record)][1].endswith("page.json#/studies/1")
    assert [r.origin for r in from_lines if isinstance(r, Record)][1].endswith("studies.jsonl:2")


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = RECORDS[0].read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    (item,) = read_records(["-"])
    assert isinstance(item, Record) and item.origin == "<stdin>"


def test_malformed_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"protocolSection": {\n  "identificationModule": {"nctId": "NCT1",,}}}')
    (item,) = read_records([str(broken)])
    assert isinstance(item, RecordError)
    assert str(item).startswith(f"{broken}:2:") and "malformed JSON" in str(item)


def test_a_truncated_file_says_it_ends_early(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(RECORDS[0].read_bytes()[:5000])
    (item,) = read_records([str(truncated)])
    assert isinstance(item, RecordError) and "the file ends early" in str(item)


def test_a_value_that_is_not_a_study_names_the_first_missing_field(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"protocolSection": {"identificationModule": {"briefTitle": "x"}}}')
    (item,) = read_records([str(other)])
    assert isinstance(item, RecordError)
    assert str(item) == (
        f"{other}: not a ClinicalTrials.gov study record: no protocolSection.identificationModule.nctId"
    )
    assert missing_field({"hasResults": True}) == "protocolSection"


@pytest.mark.parametrize("nct_id", ["NCT0559> x", "NCT123", "nct05594173 ", "EUCTR2011-001"])
def test_an_id_that_is_not_an_nct_number_is_refused_at_its_place(
    tmp_path: Path, nct_id: str
) -> None:
    """The NCT id names the trial's IRI: one with ``>`` once stopped the import with an
    internal error."""
    study = json.loads(RECORDS[0].read_text())
    study["protocolSection"]["identificationModule"]["nctId"] = nct_id
    path = tmp_path / "study.json"
    path.write_text(json.dumps(study))
    (item,) = read_records([str(path)])
    assert isinstance(item, RecordError)
    assert str(item) == (
        f"{path}: not a ClinicalTrials.gov study record: /protocolSection/identificationModule/"
        f"nctId is {nct_id!r}, not an NCT number (NCT and 8 digits)"
    )


def test_one_bad_line_does_not_hide_the_good_ones(tmp_path: Path) -> None:
    lines = tmp_path / "mixed.jsonl"
    good = json.dumps(json.loads(RECORDS[0].read_text()))
    lines.write_text(f"{good}\n{{not json\n[1, 2]\n{good}\n")
    items = list(read_records([str(lines)]))
    assert [type(item).__name__ for item in items] == ["Record", "RecordError", "RecordError", "Record"]
    assert "JSON array" in str(items[2])


def test_unreadable_inputs_are_errors_not_exceptions(tmp_path: Path) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"x": "\xe9"}')
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    items = list(read_records([str(tmp_path / "absent.json"), str(latin), str(empty)]))
    messages = [str(item) for item in items]
    assert "no such file or folder" in messages[0]
    assert "not UTF-8" in messages[1]
    assert "holds no" in messages[2]
