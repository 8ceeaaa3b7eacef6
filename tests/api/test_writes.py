"""Writes over HTTP: tokens, refusals that write nothing, limits, logs, and a real `kg serve`
with several processes where the next read on any of them sees a write."""

from __future__ import annotations

import copy
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.writes import SnapshotPublisher
from kg.records.source import parse_text
from kg.settings import Settings
from kg.store import open_checkpoint, open_store
from kg.tokens import create_token
from tests.servers import PROJECT_ROOT, free_port, stop, wait_until_up

RECORD = PROJECT_ROOT / "tests" / "data" / "records" / "fictional-trial.yaml"
REGISTRY = PROJECT_ROOT / "tests" / "data" / "ctgov" / "NCT00763412.json"
IMPORT = """mutation($r: JSON!) { importTrialRecord(record: $r) {
  status trial written message problems { severity recordPath message } notes } }"""
REGISTRY_IMPORT = """mutation($r: JSON!) { importRegistryRecord(record: $r) {
  status trial written message problems { recordPath message } } }"""
DELETE = 'mutation { deleteTrial(id: "fictional-dasision") { id deleted message } }'
FIND = '{ trial(id: "NCT09999901") { acronym endpoints { results { value } } } }'
KG = str(Path(sys.executable).parent / "kg")


def record() -> dict[str, Any]:
    data: dict[str, Any] = parse_text(RECORD.read_text(encoding="utf-8"), str(RECORD)).data
    return data


def with_value(value: str) -> dict[str, Any]:
    changed = copy.deepcopy(record())
    result = next(r for r in changed["results"] if r["id"] == "ccyr-dasatinib")
    result["value"] = value
    return changed


@pytest.fixture
def token_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "tokens.json"
    return path, create_token(path, "curator")


@pytest.fixture
def client(tmp_path: Path, token_file: tuple[Path, str]) -> Iterator[TestClient]:
    settings = Settings.from_env({}).with_overrides(
        store=f"oxigraph:{tmp_path / 'store'}", tokens_file=token_file[0],
        max_record_bytes=200_000,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def post(client: TestClient, query: str, variables: dict[str, Any] | None = None,
         token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/graphql", json={"query": query, "variables": variables or {}},
                       headers=headers)


def test_without_a_token_nothing_is_written(
    client: TestClient, token_file: tuple[Path, str], caplog: pytest.LogCaptureFixture
) -> None:
    for token in (None, "kgw_wrong", token_file[1][:-1], ""):
        response = post(client, IMPORT, {"r": record()}, token)
        assert response.status_code == 401, response.text
        assert "Authentication required" in response.json()["errors"][0]["message"]
    assert post(client, FIND).json()["data"]["trial"] is None
    assert post(client, DELETE, token="kgw_wrong").status_code == 401


def test_a_server_without_tokens_takes_no_writes(tmp_path: Path) -> None:
    for tokens in (None, tmp_path / "empty.json"):
        settings = Settings.from_env({}).with_overrides(tokens_file=tokens)
        with TestClient(create_app(settings)) as client:
            response = post(client, IMPORT, {"r": record()}, "kgw_anything")
            assert response.status_code == 403
            assert "takes no writes" in response.json()["errors"][0]["message"]
            assert post(client, FIND).json()["data"]["trial"] is None


def test_import_replace_unchanged_refuse_and_delete(
    client: TestClient, token_file: tuple[Path, str], caplog: pytest.LogCaptureFixture
) -> None:
    token = token_file[1]
    caplog.set_level(logging.INFO, logger="kg.writes")
    first = post(client, IMPORT, {"r": record()}, token).json()["data"]["importTrialRecord"]
    assert (first["status"], first["trial"], first["written"]) == ("IMPORTED", "fictional-dasision", True)
    again = post(client, IMPORT, {"r": record()}, token).json()["data"]["importTrialRecord"]
    assert (again["status"], again["written"]) == ("UNCHANGED", False)
    changed = post(client, IMPORT, {"r": with_value("78 %")}, token).json()
    assert changed["data"]["importTrialRecord"]["status"] == "REPLACED"
    values = post(client, FIND).json()["data"]["trial"]["endpoints"]
    assert 78.0 in [r["value"] for e in values for r in e["results"]]
    # The drug filter DASCERN is found by finds the new trial beside it, by name and by ChEBI.
    for drug in ("dasatinib", "CHEBI:49375"):
        listing = post(client, f'{{ trials(filter: {{drug: "{drug}"}}) {{ edges {{ node {{ acronym }} }} }} }}')
        acronyms = {e["node"]["acronym"] for e in listing.json()["data"]["trials"]["edges"]}
        assert acronyms == {"DASCERN", "FICTIONAL-DASISION"}, listing.text
    # A refused record changes nothing and says where each problem is.
    broken = with_value("86")
    broken["arms"][0]["participants"] = "86%"
    refused = post(client, IMPORT, {"r": broken}, token).json()["data"]["importTrialRecord"]
    assert (refused["status"], refused["written"]) == ("REFUSED", False)
    assert refused["problems"][0]["recordPath"] == "/arms/0/participants"
    values = post(client, FIND).json()["data"]["trial"]["endpoints"]
    assert 78.0 in [r["value"] for e in values for r in e["results"]]
    deleted = post(client, DELETE, token=token).json()["data"]["deleteTrial"]
    assert deleted["deleted"] is True
    assert post(client, FIND).json()["data"]["trial"] is None
    assert post(client, DELETE, token=token).json()["data"]["deleteTrial"]["deleted"] is False
    logged = [r.getMessage() for r in caplog.records if r.name == "kg.writes"]
    assert any("'curator'" in m and "fictional-dasision imported" in m for m in logged), logged
    assert any("refused" in m for m in logged) and any("deleted" in m for m in logged)
    assert not any(token in m for m in caplog.text.splitlines())


def test_a_curated_trial_is_neither_replaced_nor_deleted(
    client: TestClient, token_file: tuple[Path, str]
) -> None:
    response = post(client, 'mutation { deleteTrial(id: "dascern") { deleted message } }',
                    token=token_file[1])
    result = response.json()["data"]["deleteTrial"]
    assert result["deleted"] is False and "curated in data/" in result["message"]
    assert post(client, '{ trial(id: "DASCERN") { acronym } }').json()["data"]["trial"]


def test_a_delete_of_an_id_no_trial_can_have_says_so(
    client: TestClient, token_file: tuple[Path, str]
) -> None:
    """Ids that cannot name a trial (found by schemathesis: ``a>b`` broke the graph's IRI)."""
    for hostile in ["", "a>b", "x y", "../dascern", "a\x00b", "é"]:
        response = post(client, "mutation($id: ID!) { deleteTrial(id: $id) { deleted message } }",
                        {"id": hostile}, token=token_file[1])
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        result = response.json()["data"]["deleteTrial"]
        assert result["deleted"] is False and "lower-case letters" in result["message"], hostile
    assert post(client, '{ trial(id: "DASCERN") { acronym } }').json()["data"]["trial"]


def test_registry_records_import_over_http(client: TestClient, token_file: tuple[Path, str]) -> None:
    study = json.loads(REGISTRY.read_text(encoding="utf-8"))
    result = post(client, REGISTRY_IMPORT, {"r": study}, token_file[1]).json()
    assert result["data"]["importRegistryRecord"]["status"] == "IMPORTED", result
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    found = post(client, f'{{ trial(id: "{nct}") {{ registryIds }} }}').json()
    assert nct in found["data"]["trial"]["registryIds"]
    not_a_study = post(client, REGISTRY_IMPORT, {"r": {"hello": 1}}, token_file[1]).json()
    assert not_a_study["data"]["importRegistryRecord"]["status"] == "REFUSED"
    # Read as kg import ctgov reads a file: an id that is not an NCT number, a value of the
    # wrong type (both once ended in an internal error over HTTP), each refused at its place.
    bad_id = copy.deepcopy(study)
    bad_id["protocolSection"]["identificationModule"]["nctId"] = "NCT0559> x"
    wrong_type = copy.deepcopy(study)
    wrong_type["protocolSection"]["statusModule"] = "COMPLETED"
    for broken, place in ((bad_id, "/identificationModule/nctId"), (wrong_type, "/statusModule")):
        answer = post(client, REGISTRY_IMPORT, {"r": broken}, token_file[1]).json()
        assert "errors" not in answer, answer
        refused = answer["data"]["importRegistryRecord"]
        assert refused["status"] == "REFUSED" and not refused["written"], refused
        assert place in refused["message"], refused
    assert post(client, '{ trial(id: "NCT0559> x") { acronym } }').json()["data"]["trial"] is None


def test_an_oversized_record_gets_413(client: TestClient, token_file: tuple[Path, str]) -> None:
    big = record()
    big["note"] = "x" * 400_000
    response = post(client, IMPORT, {"r": big}, token_file[1])
    assert response.status_code == 413
    assert post(client, FIND).json()["data"]["trial"] is None


def test_a_write_over_the_time_limit_is_rolled_back(
    tmp_path: Path, token_file: tuple[Path, str]
) -> None:
    """Validation outlasts a 0.3 s limit: the write never begins its transaction."""
    settings = Settings.from_env({}).with_overrides(
        store=f"oxigraph:{tmp_path / 'slow'}", tokens_file=token_file[0],
        query_timeout_seconds=0.3,
    )
    with TestClient(create_app(settings)) as client:
        response = post(client, IMPORT, {"r": record()}, token_file[1])
        errors = response.json().get("errors") or []
        assert errors and ("time limit" in errors[0]["message"]), response.text
        assert post(client, FIND).json()["data"]["trial"] is None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A real `kg serve` with two processes over an on-disk store, and its log."""
    folder = tmp_path_factory.mktemp("served")
    tokens = folder / "tokens.json"
    token = create_token(tokens, "curation-bot")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({
        "KG_PORT": str(port), "KG_WORKERS": "2", "KG_SPARQL_WORKERS": "1",
        "KG_STORE": f"oxigraph:{folder / 'store'}", "KG_TOKENS_FILE": str(tokens),
        "KG_QUERY_TIMEOUT": "20",
    })
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen([KG, "serve"], cwd=PROJECT_ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/health", process, seconds=120)
            yield f"http://127.0.0.1:{port}", token, log
        finally:
            stop(process)


def _gql(base: str, query: str, variables: dict[str, Any] | None = None,
         token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=60)
    loaded: dict[str, Any] = response.json()
    return loaded


def _sparql_percentages(base: str) -> list[str]:
    query = """SELECT ?p WHERE { <https://w3id.org/evidence-kg/id/trial/fictional-dasision/result-ccyr-dasatinib>
               <https://w3id.org/evidence-kg/ontology/percentage> ?p }"""
    response = httpx.get(f"{base}/sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    return [b["p"]["value"] for b in response.json()["results"]["bindings"]]


def test_every_process_reads_a_write_at_once(served: tuple[str, str, Path]) -> None:
    """With two server processes, a write received by either is read by both at the next
    request: GraphQL and /sparql alike (fresh connections land on either process)."""
    base, token, log = served
    assert _gql(base, IMPORT, {"r": record()}, token)["data"]["importTrialRecord"]["written"]
    for _ in range(8):
        assert _gql(base, FIND)["data"]["trial"]["acronym"] == "FICTIONAL-DASISION"
        assert [float(p) for p in _sparql_percentages(base)] == [77.0]
    assert _gql(base, IMPORT, {"r": with_value("79 %")}, token)["data"]["importTrialRecord"][
        "status"] == "REPLACED"
    for _ in range(8):  # GraphQL too: its answers are cached per data generation
        assert [float(p) for p in _sparql_percentages(base)] == [79.0]
        endpoints = _gql(base, FIND)["data"]["trial"]["endpoints"]
        assert 79.0 in [r["value"] for e in endpoints for r in e["results"]]
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "by token 'curation-bot': trial fictional-dasision imported" in text
    assert token not in text


def test_concurrent_writes_to_one_trial_are_serialized(served: tuple[str, str, Path]) -> None:
    """Eight writers, two values: every write completes, one at a time, and the trial ends as
    one complete version (never a mix), the value of the write that completed last."""
    base, token, _ = served
    finished: list[tuple[float, str]] = []
    lock = threading.Lock()

    def write(value: str) -> None:
        answer = _gql(base, IMPORT, {"r": with_value(value)}, token)
        assert "errors" not in answer, answer
        import time

        with lock:
            finished.append((time.monotonic(), value))

    threads = [threading.Thread(target=write, args=(v,)) for v in ("81 %", "82 %") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(finished) == 8
    values = _sparql_percentages(base)
    assert len(values) == 1, values  # one version, whole
    assert float(values[0]) in (81.0, 82.0)
    deleted = _gql(base, DELETE, token=token)["data"]["deleteTrial"]
    assert deleted["deleted"] is True
    for _ in range(4):
        assert _gql(base, FIND)["data"]["trial"] is None
        assert _sparql_percentages(base) == []


def test_a_compacted_store_is_published_to_the_workers(tmp_path: Path) -> None:
    """The supervisor of a several-process server compacts its store beside serving and then
    publishes a snapshot of it (api.writes.SnapshotPublisher.compact), which the workers follow;
    once the server stops, nothing more is published."""
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    store.update_graphs({"urn:test:g": "<urn:test:s> <urn:test:p> <urn:test:o> ."}, {})
    pointer = tmp_path / "snapshot.json"
    publisher = SnapshotPublisher(store, pointer)
    try:
        publisher.compact()
        published = Path(json.loads(pointer.read_text(encoding="utf-8"))["path"])
        assert len(open_checkpoint(published)) == 1
    finally:
        publisher.close()
        store.close()
    assert not published.exists()
    pointer.unlink()
    publisher.compact()  # the store is closed: said in the log, nothing published
    assert not pointer.exists()
