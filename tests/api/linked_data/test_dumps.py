"""Dumps: byte-identical to ``kg export``, right media types, ETag/304, gzip."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset

from api.app import create_app
from api.routes.dumps import DUMP_EXTENSIONS
from kg.export import MEDIA_TYPES, export
from kg.settings import PROJECT_ROOT, Settings
from kg.store import Store


@pytest.fixture(scope="module")
def client(backend_settings: Settings, store: Store) -> TestClient:
    """An app over the backend under test (dumps are made from the curated build, not the store,
    so that they are byte-identical to ``kg export``: they must not depend on the backend)."""
    return TestClient(create_app(backend_settings, store=store))


@pytest.fixture(scope="session")
def export_bytes(dataset: Dataset) -> dict[str, bytes]:
    """``kg export``'s bytes per format, made once: they do not depend on the backend."""
    return {fmt: export(dataset, fmt) for fmt in set(DUMP_EXTENSIONS.values())}


@pytest.mark.parametrize("extension", list(DUMP_EXTENSIONS))
def test_dump_is_byte_identical_to_kg_export(
    client: TestClient, export_bytes: dict[str, bytes], extension: str
) -> None:
    fmt = DUMP_EXTENSIONS[extension]
    response = client.get(f"/dump.{extension}", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt]
    assert "content-encoding" not in response.headers
    assert response.content == export_bytes[fmt]


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/dump.nq", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["last-modified"].endswith("GMT")
    again = client.get("/dump.nq", headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get(
        "/dump.nq", headers={"If-None-Match": '"nope"', "Accept-Encoding": "identity"}
    )
    assert other.status_code == 200
    assert client.get("/dump.ttl", headers={"Accept-Encoding": "identity"}).headers["etag"] != etag


def test_gzip_when_accepted(client: TestClient) -> None:
    plain = client.get("/dump.ttl", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/dump.ttl", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes; the bytes match once inflated
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert "accept-encoding" in zipped.headers["vary"].lower()
    raw = client.get("/dump.ttl", headers={"Accept-Encoding": "gzip"})
    assert int(raw.headers["content-length"]) < len(plain.content)
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content
    assert (
        client.get("/dump.ttl", headers={"Accept-Encoding": "gzip;q=0"}).headers.get(
            "content-encoding"
        )
        is None
    )


def test_unknown_dump_404(client: TestClient) -> None:
    assert client.get("/dump.csv").status_code == 404


def test_dump_matches_the_kg_export_command(client: TestClient, tmp_path: Path) -> None:
    """The CLI, run as a user would, writes the same bytes the server sends."""
    output = tmp_path / "export.nq"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    subprocess.run(
        [
            str(Path(sys.executable).parent / "kg"),
            "export",
            "--format",
            "nquads",
            "-o",
            str(output),
        ],
        check=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    served = client.get("/dump.nq", headers={"Accept-Encoding": "identity"}).content
    assert served == output.read_bytes()


def test_head_gives_validators_without_a_body(client: TestClient) -> None:
    head = client.head("/dump.nt", headers={"Accept-Encoding": "identity"})
    get = client.get("/dump.nt", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert int(head.headers["content-length"]) == len(get.content)
