"""Async resolvers run at once, as far as they go without waiting.

Why: once the reads are kept for the generation (:class:`api.graphql.loaders.KeptReads`), most
async resolvers finish without ever waiting: the loads they await are already done. graphql-core
still took each one's coroutine for something to wait for, and each list of them for a
``gather`` of tasks, each task a turn of the event loop: about 35 tasks and 20 awaited values
for the README query. Running the coroutine's first step where graphql-core calls the resolver
gives graphql-core the value itself when the resolver finished, and otherwise an awaitable that
goes on from where the coroutine stopped.

What the first step may not do: start something bound to the task that runs it and finish it
after waiting (``asyncio.timeout`` captures the current task), since the rest may run in another
task. The request's deadline is therefore kept with ``asyncio.wait``
(:meth:`api.graphql.context.EvidenceContext.within`), which is bound to no task.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema


class Resumed:
    """The rest of a coroutine whose first step ran already: awaiting it goes on from there.

    The first step stopped at a future (a DataLoader's, mostly) that asyncio marks as being
    waited for until a task takes it; :func:`stepped` clears that mark, since another resolver
    may await the same future before any task awaits this one, and the first await here marks
    it again and hands it to the task. Later steps run inside that task and go straight to it.
    """

    __slots__ = ("_coroutine", "_waiting_for")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting_for: Any) -> None:
        self._coroutine = coroutine
        self._waiting_for = waiting_for

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, message = self._coroutine, self._waiting_for
        sent: Any = None
        error: BaseException | None = None
        try:
            if not isinstance(message, asyncio.Future):
                sent = yield message
            elif not message.done():  # else the coroutine goes on at once
                message._asyncio_future_blocking = True
                yield message  # the task resumes this once the future is done
        except GeneratorExit:
            coroutine.close()
            raise
        except BaseException as thrown:  # by the task: cancellation, mostly
            error = thrown
        while True:
            try:
                message = coroutine.send(sent) if error is None else coroutine.throw(error)
            except StopIteration as finished:
                return finished.value
            sent, error = None, None
            try:
                sent = yield message
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as thrown:
                error = thrown


def stepped(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """What ``coroutine`` returns when it finishes without waiting; else the rest of it, to
    await. An error it raises in that first step is raised here.

    >>> async def at_once() -> int:
    ...     return 1
    >>> stepped(at_once())
    1
    """
    try:
        waiting_for = coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    if isinstance(waiting_for, asyncio.Future):
        waiting_for._asyncio_future_blocking = False  # others may await it before a task does
    return Resumed(coroutine, waiting_for)


def eagerly(resolve: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """``resolve``, an async resolver, run by :func:`stepped`."""

    def run(source: Any, info: Any, **arguments: Any) -> Any:
        return stepped(resolve(source, info, **arguments))

    return run


def run_resolvers_eagerly(schema: GraphQLSchema) -> int:
    """Make every async field resolver of ``schema`` run eagerly; how many there were."""
    count = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            if field.resolve is not None and inspect.iscoroutinefunction(field.resolve):
                field.resolve = eagerly(field.resolve)
                count += 1
    return count
