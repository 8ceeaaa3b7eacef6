"""/dump/store.nq: every graph the store serves, streamed, with the generation's ETag."""

from __future__ import annotations

import asyncio
import gzip
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, URIRef

from api.app import create_app
from api.routes.dumps import STORE_DUMP, in_one_thread, next_item
from kg.dump import store_nquads
from kg.load import load_files
from kg.settings import Settings
from kg.store import open_store
from kg.stores.oxigraph import OxigraphStore
from kg.synth import write_corpus
from tests.api.server.serving import answer_cached_app
from tests.stores import StorePagedStore

BASE = "https://w3id.org/evidence-kg/id/"
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def served(tmp_path: Path, settings: Settings) -> Iterator[tuple[TestClient, OxigraphStore]]:
    """The app over an on-disk store holding the curated build and 5 synthetic trials."""
    with answer_cached_app(tmp_path / "store", settings) as (client, store, _):
        corpus = tmp_path / "corpus.nt"
        write_corpus(corpus, 5, seed=1, base_iri=BASE)
        load_files(
            store, [corpus], graph=URIRef(f"{BASE}graph/synthetic"), base_iri=BASE,
            max_bytes=1 << 30,
        )
        yield client, store


def test_the_store_dump_is_the_store(served: tuple[TestClient, OxigraphStore]) -> None:
    client, store = served
    response = client.get(STORE_DUMP, headers=IDENTITY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/n-quads; charset=utf-8"
    assert response.content == b"".join(store_nquads(store, BASE))
    dataset = Dataset()
    dataset.parse(data=response.content, format="nquads")
    synthetic = dataset.graph(URIRef(f"{BASE}graph/synthetic"))
    assert (URIRef(f"{BASE}trial/synth-000005"), None, None) in synthetic
    curated = dataset.graph(URIRef(f"{BASE}graph/data/dascern"))
    assert (URIRef(f"{BASE}trial/dascern"), None, None) in curated


def test_gzip_holds_the_same_bytes(served: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = served
    plain = client.get(STORE_DUMP, headers=IDENTITY)
    with client.stream("GET", STORE_DUMP, headers={"Accept-Encoding": "gzip"}) as zipped:
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["etag"] != plain.headers["etag"]
        raw = b"".join(zipped.iter_raw())
    assert gzip.decompress(raw) == plain.content


def test_the_etag_is_the_generations(
    served: tuple[TestClient, OxigraphStore], tmp_path: Path
) -> None:
    client, store = served
    first = client.get(STORE_DUMP, headers=IDENTITY)
    etag = first.headers["etag"]
    again = client.get(STORE_DUMP, headers={**IDENTITY, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = client.head(STORE_DUMP, headers=IDENTITY)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    corpus = tmp_path / "more.nt"
    write_corpus(corpus, 6, seed=1, base_iri=BASE)
    load_files(
        store, [corpus], graph=URIRef(f"{BASE}graph/synthetic"), base_iri=BASE, max_bytes=1 << 30
    )
    moved = client.get(STORE_DUMP, headers={**IDENTITY, "If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["etag"] != etag
    assert b"synth-000006" in moved.content and b"synth-000006" not in first.content


def test_a_store_without_quads_to_stream_has_no_store_dump(settings: Settings) -> None:
    """A store that does not return every row (as a remote endpoint may not) is not asked."""
    remote = StorePagedStore(open_store("oxigraph"))
    quiet = settings.with_overrides(generation_check_seconds=3600)
    client = TestClient(create_app(quiet, store=remote))  # type: ignore[arg-type]
    asked = len(remote.calls)
    response = client.get(STORE_DUMP)
    assert response.status_code == 404 and "remote" in response.text
    assert len(remote.calls) == asked


def test_the_reader_thread_stops_when_the_client_goes() -> None:
    """A client that drops the connection leaves no thread reading the store."""
    made: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:
            made.append(1)
            yield b"<a> <b> <c> <d> .\n"

    async def scenario() -> None:
        chunks = in_one_thread(endless)
        assert await anext(chunks) == b"<a> <b> <c> <d> .\n"
        await chunks.aclose()
        for _ in range(40):
            if not any(t.name == "store-dump" for t in threading.enumerate()):
                return
            await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert not any(t.name == "store-dump" for t in threading.enumerate())
    assert len(made) < 10, "the reader reads only a few chunks ahead"


def test_a_wait_for_the_next_chunk_ends_when_the_response_stops() -> None:
    """The response's wait for a chunk (in the event loop's pool) returns once the response
    has stopped, though no chunk ever comes: else a cancelled dump holds a pool thread."""
    chunks: queue.Queue[object] = queue.Queue()
    stop = threading.Event()
    waiting = threading.Thread(target=next_item, args=(chunks, stop), daemon=True)
    waiting.start()
    time.sleep(0.1)
    assert waiting.is_alive()
    stop.set()
    waiting.join(2)
    assert not waiting.is_alive()
