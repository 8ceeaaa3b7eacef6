"""Async resolvers run at once as far as they go: the value when they finish without waiting,
else the rest of the coroutine, which finishes as awaiting it would have."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from api.graphql.eager import Resumed, install_resolvers, stepped
from api.graphql.schema import build_schema


async def _twice(future: asyncio.Future[int]) -> int:
    return 2 * await future


def test_a_coroutine_that_never_waits_gives_its_value() -> None:
    async def scenario() -> object:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        done.set_result(21)
        return stepped(_twice(done))

    assert asyncio.run(scenario()) == 42


def test_two_coroutines_stopped_at_one_future_both_finish() -> None:
    """A DataLoader hands the same future to every resolver asking for one key: each first step
    stops at it before any task awaits the rest."""

    async def scenario() -> list[int]:
        shared: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        first, second = stepped(_twice(shared)), stepped(_twice(shared))
        assert isinstance(first, Resumed) and isinstance(second, Resumed)
        asyncio.get_running_loop().call_soon(shared.set_result, 5)
        return list(await asyncio.gather(first, second))

    assert asyncio.run(scenario()) == [10, 10]


def test_a_future_done_before_the_rest_is_awaited() -> None:
    async def scenario() -> int:
        pending: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        rest = stepped(_twice(pending))
        pending.set_result(4)
        result: int = await rest
        return result

    assert asyncio.run(scenario()) == 8


def test_errors_come_where_awaiting_would_give_them() -> None:
    async def fails_at_once() -> None:
        raise LookupError("at once")

    async def fails_later(future: asyncio.Future[int]) -> int:
        await future
        raise KeyError("later")

    async def scenario() -> None:
        with pytest.raises(LookupError, match="at once"):
            stepped(fails_at_once())
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        rest = stepped(fails_later(future))
        asyncio.get_running_loop().call_soon(future.set_result, 1)
        with pytest.raises(KeyError, match="later"):
            await rest

    asyncio.run(scenario())


def test_a_cancelled_task_cancels_the_coroutine() -> None:
    cleaned: list[str] = []

    async def waits(future: asyncio.Future[int]) -> int:
        try:
            return await future
        finally:
            cleaned.append("finally")

    async def scenario() -> None:
        never: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        rest = stepped(waits(never))

        async def await_rest() -> object:
            return await rest

        task = asyncio.ensure_future(await_rest())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert cleaned == ["finally"]


def test_every_async_resolver_of_the_schema_runs_eagerly() -> None:
    """build_schema made them eager: none is left for graphql-core to wrap in a task."""
    schema = build_schema()._schema
    assert install_resolvers(schema) == 0  # nothing left to install
    resolvers = [
        field.resolve
        for named in schema.type_map.values()
        for field in getattr(named, "fields", {}).values()
        if getattr(field, "resolve", None) is not None
    ]
    assert resolvers and not any(inspect.iscoroutinefunction(r) for r in resolvers)


def test_fields_are_resolved_directly_unless_arguments_need_converting() -> None:
    """A field without a resolver reads its attribute, and a resolver without arguments is
    called as written; a field with arguments keeps strawberry's layers, which convert them
    (``endpoints(kind: PRIMARY)`` gets the enum member, not the string)."""
    schema = build_schema()._schema
    arm, trial = schema.type_map["Arm"], schema.type_map["Trial"]
    label = arm.fields["label"].resolve  # type: ignore[attr-defined]
    interventions = arm.fields["interventions"].resolve  # type: ignore[attr-defined]
    endpoints = trial.fields["endpoints"].resolve  # type: ignore[attr-defined]
    assert label.__qualname__.startswith("direct_resolver.")
    run_eagerly = inspect.getclosurevars(interventions).nonlocals["resolve"]  # async: eagerly
    assert run_eagerly.__qualname__.startswith("direct_resolver.")
    assert not endpoints.__qualname__.startswith("direct_resolver.")
    assert trial.fields["endpoints"].args  # type: ignore[attr-defined]
