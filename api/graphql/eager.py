"""How graphql-core calls our resolvers: directly where strawberry's layers do nothing, and
async ones at once, as far as they go without waiting.

Why directly: strawberry wraps every field in layers that convert arguments, build field
extensions' chains and catch errors for exception handlers. A field without a resolver still
costs three Python calls to read one attribute, and a resolver without arguments eight, building
its ``Info`` and an argument list it does not use. A 50-trial page of the filtered list resolves
about 3,000 fields; graphql-core calling them directly (:func:`direct_resolver`) saves that
work. Fields whose arguments or extensions need strawberry's layers keep them.

Why at once: once the reads are kept for the generation (:class:`api.graphql.loaders.KeptReads`), most
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

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info


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


def direct_resolver(field: StrawberryField) -> Callable[..., Any] | None:
    """What graphql-core should call to resolve ``field`` without strawberry's layers: its
    attribute for a field without a resolver, its resolver called with the source and an
    ``Info`` for one without arguments; ``None`` when strawberry's layers have work to do
    (arguments to convert, field extensions, which permission classes are too).

    >>> import strawberry
    >>> @strawberry.type
    ... class Arm:
    ...     label: str
    ...     @strawberry.field
    ...     def title(self) -> str:
    ...         return self.label.title()
    >>> label, title = Arm.__strawberry_definition__.fields
    >>> direct_resolver(label)(Arm(label="dasatinib"), None), direct_resolver(title)(Arm(label="imatinib"), None)
    ('dasatinib', 'Imatinib')
    """
    if field.extensions:
        return None
    resolver = field.base_resolver
    if resolver is None:
        name = field.python_name

        def attribute(source: Any, info: Any) -> Any:
            return getattr(source, name)

        return attribute
    if resolver.arguments:
        return None
    function: Callable[..., Any] = resolver.wrapped_func  # type: ignore[assignment]
    as_self = resolver.self_parameter is not None
    given_source = [
        parameter.name
        for parameter in (resolver.root_parameter, resolver.parent_parameter)
        if parameter is not None
    ]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def resolve(source: Any, info: Any) -> Any:
        keywords = dict.fromkeys(given_source, source)
        if info_name is not None:
            keywords[info_name] = Info(_raw_info=info, _field=field)
        return function(source, **keywords) if as_self else function(**keywords)

    return eagerly(resolve) if inspect.iscoroutinefunction(function) else resolve


def install_resolvers(schema: GraphQLSchema) -> int:
    """Have graphql-core call ``schema``'s resolvers directly where it can
    (:func:`direct_resolver`), and every async one eagerly (:func:`stepped`); how many fields
    changed (none when done already)."""
    count = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for graphql_field in named.fields.values():
            count += _install(graphql_field)
    return count


def _install(graphql_field: GraphQLField) -> int:
    resolve = graphql_field.resolve
    if resolve is None or getattr(resolve, "_installed", False):
        return 0
    field = graphql_field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    direct = direct_resolver(field) if isinstance(field, StrawberryField) else None
    if direct is None and inspect.iscoroutinefunction(resolve):
        direct = eagerly(resolve)
    if direct is None:
        return 0
    direct._installed = True  # type: ignore[attr-defined]
    direct._is_default = getattr(resolve, "_is_default", False)  # type: ignore[attr-defined]
    graphql_field.resolve = direct
    return 1
