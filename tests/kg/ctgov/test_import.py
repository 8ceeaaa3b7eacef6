"""``kg import ctgov`` end to end: exit codes, hostile and broken records, re-imports, newer
versions, reconciliation with curated drugs, and an import killed half-way."""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kg.cli import main
from kg.ctgov.reconcile import Index
from kg.store import open_store, select
from kg.stores.oxigraph import OxigraphStore
from tests.registry_records import dasatinib_record

DATA = Path(__file__).parents[2] / "data" / "ctgov"
PHASE_3 = DATA / "NCT02552212.json"
SMALL = DATA / "NCT00763412.json"
BASE = "https://w3id.org/evidence-kg/id/"
EKG = "https://w3id.org/evidence-kg/ontology/"


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def write(path: Path, study: dict[str, Any]) -> Path:
    path.write_text(json.dumps(study), encoding="utf-8")
    return path


def store_quads(path: Path) -> list[str]:
    store = open_store(f"oxigraph:{path}")
    assert isinstance(store, OxigraphStore)
    try:
        return sorted(str(quad) for quad in store.native)
    finally:
        store.close()


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["import", "ctgov", "--no-progress", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_and_a_summary_when_every_study_is_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(str(DATA), "--store", f"oxigraph:{tmp_path / 'store'}", capsys=capsys)
    assert code == 0
    assert out.startswith("imported 4, replaced 0, unchanged 0, refused 0, unreadable 0")
    assert "NCT03630471: no results section" in out


def test_the_same_records_twice_leave_the_store_byte_for_byte_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"oxigraph:{tmp_path / 'store'}"
    run(str(DATA), "--store", store, capsys=capsys)
    before = store_quads(tmp_path / "store")
    code, out, _ = run(str(DATA), "--store", store, capsys=capsys)
    assert code == 0 and out.startswith("imported 0, replaced 0, unchanged 4")
    assert store_quads(tmp_path / "store") == before


def test_a_p_value_of_1_7_is_refused_with_its_json_pointer_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"oxigraph:{tmp_path / 'store'}"
    run(str(PHASE_3), "--store", store, capsys=capsys)
    before = store_quads(tmp_path / "store")
    study = load(PHASE_3)
    study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][3 - 3]["analyses"][0]["pValue"] = "1.7"
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2024-01-01"
    code, out, _ = run(str(write(tmp_path / "hostile.json", study)), "--store", store, capsys=capsys)
    assert code == 1
    assert "refused NCT02552212" in out
    assert "/resultsSection/outcomeMeasuresModule/outcomeMeasures/0/analyses/0/pValue: " in out
    assert "ekg:pValue = 1.7: A p-value is one xsd:decimal between 0 and 1" in out
    assert store_quads(tmp_path / "store") == before


def test_malformed_and_truncated_inputs_exit_2_and_the_good_ones_still_go_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "a-broken.json").write_text('{"protocolSection": ')
    (inputs / "b-not-a-study.json").write_text('{"studies": [{"hasResults": false}]}')
    (inputs / "c-good.json").write_bytes(SMALL.read_bytes())
    code, out, _ = run(str(inputs), "--store", f"oxigraph:{tmp_path / 'store'}", capsys=capsys)
    assert code == 2
    assert out.startswith("imported 1, replaced 0, unchanged 0, refused 0, unreadable 2")
    assert f"unreadable: {inputs / 'a-broken.json'}:1:21: malformed JSON" in out
    assert "(the file ends early)" in out
    assert f"unreadable: {inputs / 'b-not-a-study.json'}#/studies/0: not a ClinicalTrials.gov study " \
        "record: no protocolSection" in out


def test_a_newer_version_replaces_the_changed_value_and_the_old_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = f"oxigraph:{tmp_path / 'store'}"
    run(str(PHASE_3), "--store", store_path, capsys=capsys)
    study = load(PHASE_3)
    cell = study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"][0]["categories"][0][
        "measurements"][0]
    old_value, cell["value"] = cell["value"], "8.5"
    status = study["protocolSection"]["statusModule"]
    old_version = status["lastUpdatePostDateStruct"]["date"]
    status["lastUpdatePostDateStruct"]["date"] = "2024-03-01"
    code, out, _ = run(str(write(tmp_path / "newer.json", study)), "--store", store_path, capsys=capsys)
    assert code == 0 and out.startswith("imported 0, replaced 1")
    store = open_store(store_path)
    try:
        pointer = "/resultsSection/outcomeMeasuresModule/outcomeMeasures/0/classes/0/categories/0/measurements/0"
        rows = select(store, f'SELECT ?v WHERE {{ ?r <{EKG}recordPointer> "{pointer}" ; '
                             f'<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v }}')
        assert [str(r["v"]) for r in rows] == ["8.5"] != [old_value]
        versions = select(store, f"SELECT DISTINCT ?v WHERE {{ ?s <{EKG}recordVersion> ?v }}")
        assert [str(r["v"]) for r in versions] == ["2024-03-01"]
        assert old_version != "2024-03-01"
    finally:
        store.close()


def test_an_unknown_statistic_is_kept_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = load(PHASE_3)
    analysis = study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["analyses"][0]
    analysis["paramType"] = "Win ratio (stratified)"
    store_path = f"oxigraph:{tmp_path / 'store'}"
    code, _, _ = run(str(write(tmp_path / "unknown.json", study)), "--store", store_path, capsys=capsys)
    assert code == 0
    store = open_store(store_path)
    try:
        rows = select(store, f'SELECT ?s WHERE {{ ?e <{EKG}statisticText> "Win ratio (stratified)" ; '
                             f"<{EKG}statistic> ?s }}")
        assert [str(r["s"]) for r in rows] == [f"{EKG}OtherStatistic"]
    finally:
        store.close()


def test_standard_input_and_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SMALL.read_bytes())))
    code, out, _ = run("-", "--format", "json", "--store", f"oxigraph:{tmp_path / 'store'}", capsys=capsys)
    summary = json.loads(out)
    assert code == 0 and summary["imported"] == 1
    assert summary["studies"][0]["origin"] == "<stdin>"


def test_an_in_memory_store_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(str(SMALL), "--store", "oxigraph", capsys=capsys)
    assert code == 2 and "needs a persistent store" in err


def test_drugs_and_conditions_are_reconciled_with_the_curated_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = f"oxigraph:{tmp_path / 'store'}"
    code, _, _ = run(str(write(tmp_path / "dasatinib.json", dasatinib_record())), "--store", store_path,
                     capsys=capsys)
    assert code == 0
    store = open_store(store_path)
    try:
        trial = f"{BASE}trial/nct09000001"
        drugs = select(store, f"""SELECT ?drug ?note WHERE {{ <{trial}> <{EKG}arm>/<{EKG}intervention> ?i .
            ?i <{EKG}drug> ?drug OPTIONAL {{ ?i <{EKG}matchNote> ?note }} }}""")
        found = {str(r["drug"]): str(r.get("note", "")) for r in drugs}
        assert set(found) == {f"{BASE}drug/dasatinib", f"{BASE}drug/imatinib"}
        assert found[f"{BASE}drug/dasatinib"] == ""  # by its MeSH id
        assert "Linked by the name 'Imatinib'" in found[f"{BASE}drug/imatinib"]
        conditions = select(store, f"SELECT ?c WHERE {{ <{trial}> <https://schema.org/healthCondition> ?c }}")
        assert [str(r["c"]) for r in conditions] == [f"{BASE}condition/cml-chronic-phase"]
        # Found by the ChEBI id the registry never gave, beside DASCERN.
        trials = select(store, """SELECT DISTINCT ?t WHERE { ?t <https://schema.org/studySubject> ?d .
            ?d <http://www.w3.org/2004/02/skos/core#exactMatch> <http://purl.obolibrary.org/obo/CHEBI_49375> }""")
        assert sorted(str(r["t"]) for r in trials) == [f"{BASE}trial/dascern", trial]
    finally:
        store.close()


def test_a_record_of_a_curated_trial_is_imported_beside_it_as_its_alternate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = dasatinib_record()
    record["protocolSection"]["identificationModule"]["nctId"] = "NCT01593254"  # DASCERN's
    store_path = f"oxigraph:{tmp_path / 'store'}"
    code, out, _ = run(str(write(tmp_path / "dascern.json", record)), "--store", store_path,
                       "--format", "json", capsys=capsys)
    assert code == 0
    assert any("also curated as" in note for note in json.loads(out)["studies"][0]["notes"])
    store = open_store(store_path)
    try:
        rows = select(store, "SELECT ?s ?o WHERE { ?s <http://www.w3.org/ns/prov#alternateOf> ?o }")
        assert [(str(r["s"]), str(r["o"])) for r in rows] == [
            (f"{BASE}trial/nct01593254", f"{BASE}trial/dascern")]
    finally:
        store.close()


def test_an_ambiguous_name_is_not_linked_but_reported() -> None:
    index = Index("drug", BASE)
    index.add(f"{BASE}drug/a", ["Thing"], [])
    index.add(f"{BASE}drug/b", ["thing"], [])
    match = index.match("THING", None)
    assert match.node == f"{BASE}drug/name-thing" and match.minted
    assert match.problem is not None and "matches 2 nodes" in match.problem
    assert index.match("other name", "D000001", ()).node == f"{BASE}drug/mesh-D000001"


def test_a_kill_during_a_folder_import_leaves_each_study_in_or_out(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    study = load(SMALL)
    for k in range(400):
        copy_ = copy.deepcopy(study)
        copy_["protocolSection"]["identificationModule"]["nctId"] = f"NCT0{8000000 + k}"
        write(folder / f"r{k:04d}.json", copy_)
    store_path = tmp_path / "store"
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "import", "ctgov", str(folder), "--store", f"oxigraph:{store_path}",
         "--batch-size", "20"],  # 20 records, about 14,000 triples: the bulk-load path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
        progress = [int(n) for n in re.findall(rb"importing: (\d+) records", seen)]
        if progress and max(progress) >= 50:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = open_store(f"oxigraph:{store_path}")
    try:
        rows = select(store, f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER STRSTARTS(STR(?g), "{BASE}graph/trial/") }} GROUP BY ?g""")
        counts = {str(r["g"]): int(r["n"]) for r in rows}
    finally:
        store.close()
    assert 0 < len(counts) < 400, "the kill must land part-way through"
    # Every study that is in holds exactly what a complete import of its record writes.
    assert len(set(counts.values())) == 1, counts


def test_validate_from_store_passes_on_dascern_and_the_imported_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"oxigraph:{tmp_path / 'store'}"
    run(str(DATA), "--store", store, capsys=capsys)
    code = main(["validate", "--from-store", "--store", store, "--format", "junit"])
    out, _ = capsys.readouterr()
    assert code == 0, out[-2000:]
    # The shapes only registry records exercise had focus nodes here (see tests/test_validate.py).
    assert 'classname="ekgsh:ReferenceShape"' in out
    assert "<failure" not in out
