"""``then``: a value a DataLoader already holds is built at once; anything else is awaited."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from strawberry.dataloader import DataLoader

from api.graphql.loaders import then


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
