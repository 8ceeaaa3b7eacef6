"""The loaders: ``then`` builds a value a DataLoader already holds at once and awaits anything
else; the reads kept for a generation are read once, and never after the data changed."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from strawberry.dataloader import DataLoader

from api.app import create_app
from api.graphql.context import served_context
from api.graphql.loaders import ABSENT, KeptReads, Loaders, reads_of, then
from kg.build import build_store, bump_generation
from kg.readmodel import read as reads
from kg.served import Served
from kg.settings import Settings
from kg.store import is_private
from tests.api.documents import ACRONYM, README_QUERY, answer
from tests.api.server.serving import RENAME_DASCERN, built_on_disk
from tests.stores import RecordingStore


def _loader(loaded: list[list[str]]) -> DataLoader[str, str]:
    async def load(keys: list[str]) -> list[str]:
        loaded.append(keys)
        return [key.upper() for key in keys]

    return DataLoader(load_fn=load)


def test_a_value_the_loader_holds_is_built_without_a_coroutine() -> None:
    """The fast path: no coroutine for graphql-core to wrap in a task."""

    async def scenario() -> object:
        loader = _loader([])
        await loader.load("a")
        return then(loader.load("a"), len)

    assert asyncio.run(scenario()) == 1


def test_a_value_not_yet_loaded_is_awaited_in_the_loaders_batch() -> None:
    """Keys asked for in one tick still make one batch."""

    async def scenario() -> tuple[list[str], list[list[str]]]:
        loaded: list[list[str]] = []
        loader = _loader(loaded)
        pending = [then(loader.load(key), str.lower) for key in ("a", "b")]
        assert all(inspect.isawaitable(p) for p in pending)
        return list(await asyncio.gather(*pending)), loaded  # type: ignore[arg-type]

    assert asyncio.run(scenario()) == (["a", "b"], [["a", "b"]])


def test_a_failed_load_raises_its_error_when_awaited() -> None:
    """A failed future is not taken as loaded: the resolver raises the loader's own error."""

    async def scenario() -> object:
        async def fail(keys: list[str]) -> list[str]:
            raise LookupError("store unavailable")

        loader: DataLoader[str, str] = DataLoader(load_fn=fail)
        with pytest.raises(LookupError):
            await loader.load("a")
        pending = then(loader.load("a"), len)
        assert inspect.isawaitable(pending)
        return await pending

    with pytest.raises(LookupError, match="store unavailable"):
        asyncio.run(scenario())


# Reads kept for one generation ------------------------------------------------------------------


def _read(
    log: list[list[str]], fail: bool = False
) -> Callable[[object, Sequence[str]], dict[str, str]]:
    """A read by key that describes every key but "gone", and logs the keys it was asked."""

    def read(store: object, keys: Sequence[str]) -> dict[str, str]:
        log.append(list(keys))
        if fail:
            raise LookupError("store unavailable")
        return {key: key.upper() for key in keys if key != "gone"}

    return read


async def _run(read: Callable[..., object], *args: object) -> object:
    return read(None, *args)


def test_kept_reads_go_to_the_store_once_a_key() -> None:
    """Only keys no request read yet are read, in one batch; a key the store does not describe
    is kept too, and gives the loader's default."""
    log: list[list[str]] = []
    read, kept = _read(log), KeptReads()
    first = asyncio.run(kept.read(_run, read, ["a", "gone"], None))
    second = asyncio.run(kept.read(_run, read, ["gone", "b", "a"], None))
    assert (first, second) == (["A", None], [None, "B", "A"])
    assert log == [["a", "gone"], ["b"]]
    assert (kept.hits, kept.misses, len(kept)) == (2, 3, 3)


def test_kept_reads_keep_each_read_apart_and_stay_bounded() -> None:
    log: list[list[str]] = []
    one, other, kept = _read(log), _read(log), KeptReads(max_entries=2)
    asyncio.run(kept.read(_run, one, ["a"], None))
    asyncio.run(kept.read(_run, other, ["a"], None))  # another read of the same key
    asyncio.run(kept.read(_run, one, ["b"], None))  # the oldest, one's "a", goes
    assert asyncio.run(kept.read(_run, one, ["a", "b"], None)) == ["A", "B"]
    assert log == [["a"], ["a"], ["b"], ["a"]] and len(kept) == 2


def test_reads_kept_from_elsewhere_are_handed_out_without_the_store() -> None:
    """KeptReads.keep: what a read gave, kept as if a request had read it; ABSENT still gives
    the loader's default."""
    log: list[list[str]] = []
    read, kept = _read(log), KeptReads()
    kept.keep([(read, "a", "A"), (read, "gone", ABSENT)])
    assert asyncio.run(kept.read(_run, read, ["a", "gone", "b"], "-")) == ["A", "-", "B"]
    assert log == [["b"]]


def test_a_failed_read_keeps_nothing() -> None:
    log: list[list[str]] = []
    kept = KeptReads()
    with pytest.raises(LookupError, match="store unavailable"):
        asyncio.run(kept.read(_run, _read(log, fail=True), ["a"], None))
    assert len(kept) == 0
    assert asyncio.run(kept.read(_run, _read(log), ["a"], None)) == ["A"]


def test_a_kept_read_is_handed_out_at_once_without_a_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A request's loader gives a kept value as a future already done, so resolvers go on
    without waiting for a batch; keys not kept are batched as before."""
    log: list[list[str]] = []
    read, kept = _read(log), KeptReads()

    async def scenario() -> tuple[object, object, list[object]]:
        await Loaders(_run, kept).trial_named.load("kept")  # the store is asked once
        loaders = Loaders(_run, kept)  # the next request's
        at_once = loaders.trial_named.load("kept")
        assert isinstance(at_once, asyncio.Future) and at_once.done()
        return await at_once, then(loaders.trial_named.load("kept"), str), list(
            await asyncio.gather(*map(loaders.trial_named.load, ["a", "b"]))
        )

    monkeypatch.setattr(reads, "find_trials_exactly", read)
    assert asyncio.run(scenario()) == ("KEPT", "KEPT", ["A", "B"])
    assert log == [["kept"], ["a", "b"]]


def test_other_documents_read_nothing_again_until_the_generation_moves(
    tmp_path: Path, settings: Settings
) -> None:
    """With the answer cache off, as for frontends asking each their own document: what one
    request read is not read again for the generation; after a load the new data is served."""
    overrides = {"graphql_cache_size": 0, "generation_check_seconds": 0}
    with built_on_disk(tmp_path / "store", settings, **overrides) as (store, uncached):
        recording = RecordingStore(store)
        client = TestClient(create_app(uncached, store=recording))  # type: ignore[arg-type]
        readme = README_QUERY
        first = answer(client, readme)
        asked = _reads(recording)
        assert asked > 0, "the first answer is read from the store"
        for alias in ("a", "b"):  # new documents, each of them a miss of any answer cache
            again = answer(client, readme.replace("trial(", f"{alias}: trial(", 1))
            assert again[alias] == first["trial"]
        assert _reads(recording) == asked
        assert answer(client, ACRONYM)["trial"]["acronym"] == "DASCERN"
        store.native.update(RENAME_DASCERN % "RENAMED")
        bump_generation(store, uncached.base_iri)
        assert answer(client, ACRONYM)["trial"]["acronym"] == "RENAMED"


def test_reads_are_kept_only_where_nothing_but_the_server_writes(settings: Settings) -> None:
    """A remote store's other clients can write without moving the generation: there every
    request reads the store, as the pages do too."""
    served = Served(build_store(settings), None, frozenset())

    async def contexts() -> tuple[object, object]:
        kept = served_context(served, 5.0, keep_reads=True)
        fresh = served_context(served, 5.0, keep_reads=False)
        return kept.reads, fresh.reads

    kept, fresh = asyncio.run(contexts())
    assert kept is reads_of(served) and fresh is None
    assert is_private(settings.store) and not is_private("sparql:http://127.0.0.1/query")
    app = create_app(settings)
    assert app.state.local_graphql.keep_reads is True


def _reads(recording: RecordingStore) -> int:
    """Store reads of the read model (not the generation check before each request)."""
    return sum("?generation" not in sparql for sparql in recording.queries)
