"""Protections of a public GraphQL endpoint (OWASP GraphQL Cheat Sheet), with their limits.

Why each: depth, alias, token and cost limits stop one small request from asking for an
exponential amount of work; the page-size cap bounds every list a listing returns; the body
limit stops huge documents before parsing; the time limit ends requests the limits did not
foresee. Every refusal is a GraphQL error or a 4xx, never a 500.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql.errors import report_errors

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Limits:
    """The limits one schema enforces. Defaults fit every documented query with room to spare."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2_000
    max_cost: int = 50_000
    """About 50 trials with arms, primary results, comparisons and estimates; a page of 100
    trials asking for every nested list is refused."""
    default_list_size: int = 5
    """Assumed length of a list field without ``first`` when estimating cost: trials have 2-4
    arms, a handful of endpoints, results and comparisons each, 3 estimates per comparison."""
    timeout_seconds: float = 5.0


# Cost ---------------------------------------------------------------------------------------------


ParentType = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _first(node: FieldNode) -> int | None:
    """The page size a field asks for: the literal ``first``, the cap for a variable."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            value = argument.value
            return int(value.value) if isinstance(value, IntValueNode) else MAX_PAGE_SIZE
    return None


def selection_cost(
    context: ValidationContext,
    parent: ParentType,
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    limits: Limits,
    visited: frozenset[str] = frozenset(),
) -> int:
    """Fields a selection can resolve at worst: each field costs 1 plus its children times the
    length of the list it returns (``first`` for listings, the default list size otherwise).
    Introspection counts too (GraphiQL's full introspection query stays well under the limit);
    graphql-core's MaxIntrospectionDepthRule also refuses deeply nested introspection."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if isinstance(parent, GraphQLUnionType):
                continue
            field = parent.fields.get(name)
            if field is None:
                continue  # FieldsOnCorrectTypeRule reports it
            named = get_named_type(field.type)
            child = 0
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                child = selection_cost(
                    context, named, selection.selection_set, fragments, limits, visited
                )
            first = _first(selection)
            if first is not None:
                multiplier = first if first > 0 else 1
            elif name == "edges" and parent.name.endswith("Connection"):
                multiplier = 1  # already counted by the listing's `first`
            elif _is_list(field.type):
                multiplier = limits.default_list_size
            else:
                multiplier = 1
            total += 1 + multiplier * child
        elif isinstance(selection, InlineFragmentNode):
            target = parent
            if selection.type_condition is not None:
                found = context.schema.get_type(selection.type_condition.name.value)
                if isinstance(found, GraphQLObjectType | GraphQLInterfaceType):
                    target = found
            total += selection_cost(
                context, target, selection.selection_set, fragments, limits, visited
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visited:
                continue  # unknown fragments and cycles are reported by graphql-core's rules
            found = context.schema.get_type(fragment.type_condition.name.value)
            target = (
                found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else parent
            )
            total += selection_cost(
                context, target, fragment.selection_set, fragments, limits, visited | {name}
            )
    return total


def cost_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule refusing operations whose estimated cost exceeds ``limits.max_cost``."""

    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            cost = selection_cost(self.context, root, node.selection_set, fragments, limits)
            if cost > limits.max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query cost {cost} exceeds the limit of {limits.max_cost}: ask for "
                        f"smaller pages (`first`) or fewer nested lists.",
                        node,
                    )
                )

    return CostLimit


# Time ---------------------------------------------------------------------------------------------


class TimedSchema(strawberry.Schema):
    """A schema whose every execution is bounded by ``timeout_seconds`` of wall-clock time."""

    timeout_seconds: float = Limits.timeout_seconds

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Client errors at INFO without a traceback (:func:`api.graphql.errors.report_errors`)."""
        report_errors(errors, execution_context)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        try:
            return await asyncio.wait_for(
                super().execute(
                    query,
                    variable_values=variable_values,
                    context_value=context_value,
                    root_value=root_value,
                    operation_name=operation_name,
                    allowed_operation_types=allowed_operation_types,
                    operation_extensions=operation_extensions,
                ),
                self.timeout_seconds,
            )
        except TimeoutError:
            message = (
                f"The request exceeded the {self.timeout_seconds:g} s time limit; ask for "
                "fewer items or fields."
            )
            return ExecutionResult(data=None, errors=[GraphQLError(message)])


# Body size ----------------------------------------------------------------------------------------


class RequestGuard:
    """ASGI middleware for requests under ``path``: 413 when the body exceeds ``max_bytes``,
    400 when a JSON body is neither an object (one operation) nor an array (a batch, which
    strawberry refuses with its own 400).

    Why buffer: the body is read (at most ``max_bytes`` + 1 bytes) before the app sees it, so a
    huge or endless chunked body is refused without being parsed or held in memory. Why check
    the JSON shape: strawberry answers a bare JSON string or number with a 500.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, path: str = "/graphql", max_write_bytes: int = 0
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_write_bytes = max_write_bytes
        """A request with credentials (a write, whose record may be large) may send this
        much; its token is checked before anything is written."""
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        limit = self.max_bytes
        if b"authorization" in headers:
            limit = max(limit, self.max_write_bytes)
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _refuse(send, 413, f"Request body exceeds the {limit}-byte limit.")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _refuse(send, 413, f"Request body exceeds the {limit}-byte limit.")
                return
        if b"json" in headers.get(b"content-type", b"") and not _object_or_array(bytes(body)):
            await _refuse(send, 400, "The request body must be a JSON object with a `query`.")
            return
        replayed: list[Message] = [
            {"type": "http.request", "body": bytes(body), "more_body": False}
        ]
        await self.app(scope, _replay(replayed, receive), send)


def _object_or_array(body: bytes) -> bool:
    """Whether a JSON body is an object or an array; unparsable bodies pass through, for
    strawberry to refuse with its own message."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return True
    return isinstance(parsed, dict | list)


async def _refuse(send: Send, status: int, message: str) -> None:
    text = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(text)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A ``receive`` that yields ``messages`` and then defers to ``then`` (disconnects)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive
