"""``kg import record`` end to end: exit codes, curator mistakes at their line, re-imports, the
round trip through a store, and a trial found beside DASCERN by cross-trial queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.records.export import canonical, dump
from kg.records.source import parse_text
from kg.store import open_store, select
from tests.kg.ctgov.test_import import store_quads

DATA = Path(__file__).parents[2] / "data" / "records"
FICTIONAL = DATA / "fictional-trial.yaml"
PROJECT = Path(__file__).parents[3]
BASE = "https://w3id.org/evidence-kg/id/"


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["import", "record", "--no-progress", *args])
    out, err = capsys.readouterr()
    return code, out, err


def edited(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = FICTIONAL.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


@pytest.fixture
def store_spec(tmp_path: Path) -> str:
    return f"oxigraph:{tmp_path / 'store'}"


def test_a_record_is_imported_then_unchanged_byte_for_byte(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(str(FICTIONAL), "--store", store_spec, capsys=capsys)
    assert code == 0, out
    assert out.startswith("imported 1, replaced 0, unchanged 0, refused 0, unreadable 0")
    before = store_quads(tmp_path / "store")
    code, out, _ = run(str(FICTIONAL), "--store", store_spec, capsys=capsys)
    assert code == 0 and out.startswith("imported 0, replaced 0, unchanged 1"), out
    assert store_quads(tmp_path / "store") == before


def test_a_changed_record_replaces_its_trial_whole(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(str(FICTIONAL), "--store", store_spec, capsys=capsys)[0] == 0
    changed = edited(tmp_path, "value: 77 %", "value: 78 %")
    code, out, _ = run(str(changed), "--store", store_spec, capsys=capsys)
    assert code == 0 and "replaced 1" in out, out
    store = open_store(store_spec)
    try:
        rows = select(store, f"""SELECT ?p WHERE {{
            <{BASE}trial/fictional-dasision/result-ccyr-dasatinib>
            <https://w3id.org/evidence-kg/ontology/percentage> ?p }}""")
    finally:
        store.close()
    assert [float(row["p"]) for row in rows] == [78.0]


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        # a percentage typed as text where a count is expected: refused at its line
        ("    participants: 259\n", "    participants: 86%\n", "participants: 86%",
         "expected a whole number, got the percentage '86%'"),
        # a unit nobody knows
        ("      dose: 100 mg\n", "      dose: 100 mgs\n", "dose: 100 mgs", "unknown unit 'mgs'"),
        # a word the format does not know, with the word it probably is
        ("    role: experimental\n", "    role: experimentl\n", "role: experimentl",
         "did you mean 'experimental'?"),
        # a p-value that is a percentage
        ("    p: P = .007\n", "    p: P = 0.7%\n", "p: P = 0.7%", "is not a p-value"),
        # a drug nobody describes: missing, not misdescribed (the shapes say so)
        ("      drug: imatinib\n", "      drug: imatinibb\n", "drug: imatinibb",
         "is described nowhere"),
    ],
)
def test_curator_mistakes_are_refused_with_record_path_and_line(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str],
    old: str, new: str, fragment: str, message: str,
) -> None:
    path = edited(tmp_path, old, new)
    code, out, err = run(str(path), "--store", store_spec, capsys=capsys)
    assert code == 1, out + err
    assert "Traceback" not in out + err and "internal error" not in out + err
    assert f"{path}:{line_of(path, fragment)} /" in out, out
    assert message in out, out
    store = open_store(store_spec)
    try:
        query = f"SELECT ?p WHERE {{ <{BASE}trial/fictional-dasision> ?p ?o }} LIMIT 1"
        assert not select(store, query), "a refused record wrote something"
    finally:
        store.close()


def test_a_probable_fraction_is_a_warning_not_a_refusal(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edited(tmp_path, "    value: 1.9 %\n", "    value: 0.86\n")
    code, out, _ = run(str(path), "--store", store_spec, capsys=capsys)
    assert code == 0, out
    assert f"{path}:{line_of(path, 'value: 0.86')} /results/" in out
    assert "0.86 looks like a fraction (86 %?)" in out


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("record: trial-record/1\nid: [unclosed\n", "not valid YAML or JSON"),
        ("- a list\n", "a trial record is a mapping"),
        ("record: trial-record/0\nid: x\n", "expected `record: trial-record/1`"),
        ("record: trial-record/1\nid: x\nid: y\n", "the key 'id' is given twice"),
    ],
)
def test_unreadable_inputs_exit_2_and_name_the_file(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str], text: str, fragment: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(str(path), str(FICTIONAL), "--store", store_spec, capsys=capsys)
    assert code == 2
    assert f"unreadable: {path}" in out and fragment in out, out
    assert "imported 1" in out  # the readable record still went in


def test_a_curated_trial_is_not_imported_beside_itself(
    store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """DASCERN is built from data/: importing its record again would serve two copies."""
    code, out, _ = run(str(PROJECT / "data" / "dascern.yaml"), "--store", store_spec,
                       capsys=capsys)
    assert code == 1
    assert "already served from https://w3id.org/evidence-kg/id/graph/data/dascern" in out


def test_json_records_are_the_same_records(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    data = parse_text(FICTIONAL.read_text(encoding="utf-8"), str(FICTIONAL)).data
    path = tmp_path / "fictional.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    assert run(str(path), "--store", store_spec, capsys=capsys)[0] == 0
    code, out, _ = run(str(FICTIONAL), "--store", store_spec, capsys=capsys)
    assert code == 0 and "unchanged 1" in out, out


def test_round_trip_through_the_store(
    tmp_path: Path, store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """record -> graph -> record: the canonical record (reference data named as the store
    names it), and exporting what was imported from an export changes nothing."""
    assert run(str(FICTIONAL), "--store", store_spec, capsys=capsys)[0] == 0
    out_path = tmp_path / "exported.yaml"
    code = main(["export", "--format", "record", "--trial", "fictional-dasision",
                 "--store", store_spec, "-o", str(out_path)])
    assert code == 0
    exported = parse_text(out_path.read_text(encoding="utf-8"), str(out_path)).data
    expected = canonical(parse_text(FICTIONAL.read_text(encoding="utf-8"), "x").data)
    expected["condition"] = "Chronic myeloid leukemia, chronic phase"  # "CML-CP" in the file
    expected["arms"][0]["intervention"]["drug"] = "dasatinib"  # "CHEBI:49375" in the file
    assert exported == expected
    code, out, _ = run(str(out_path), "--store", store_spec, capsys=capsys)
    assert code == 0 and "unchanged 1" in out, out
    assert dump(exported) == out_path.read_text(encoding="utf-8")


def test_the_imported_trial_sits_beside_dascern_in_cross_trial_queries(
    store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's standard-vocabulary query (dasatinib against imatinib, by ChEBI) finds both
    trials, each with its own figures and sources."""
    assert run(str(FICTIONAL), "--store", store_spec, capsys=capsys)[0] == 0
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    query = readme.split("```sparql\n", 1)[1].split("```", 1)[0]
    store = open_store(store_spec)
    try:
        trials = {str(row["trial"]) for row in select(store, query)}
        figures = {
            str(row["s"]): str(row["o"])
            for row in select(store, """PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
                SELECT ?s ?o WHERE {
                    ?s ekg:percentage ?o ; ekg:report/ekg:publication ?pub . ?pub ekg:doi ?doi
                }""")
        }
    finally:
        store.close()
    assert trials == {f"{BASE}trial/dascern", f"{BASE}trial/fictional-dasision"}
    assert float(figures[f"{BASE}trial/fictional-dasision/result-ccyr-dasatinib"]) == 77
    assert float(figures[f"{BASE}trial/dascern/result-mmr-12m-dasatinib"]) == 29
