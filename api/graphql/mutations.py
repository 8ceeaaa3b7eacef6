# strawberry's field decorator is untyped for mypy (as in queries.py and types.py).
# mypy: disable-error-code="untyped-decorator"
"""GraphQL mutations: curated trial records, registry records and deletions, written through
the one write path by holders of a bearer token.

Each mutation checks the token first (:mod:`kg.tokens`: constant time, never logged), then hands
the write to the process's writer (:mod:`api.writes`), in a thread, within the request's time
limit less a margin: a write that cannot begin its transaction in time writes nothing and says
so. A refused write changes nothing and lists every problem with its place in the record.
"""

from __future__ import annotations

import asyncio
import enum
import time
from typing import TYPE_CHECKING, NewType

import strawberry
from strawberry.types import Info

from api.graphql.errors import PublicError
from kg.write_service import Operation, WriteRequest, WriteResult

if TYPE_CHECKING:
    JSON = NewType("JSON", object)
else:
    # strawberry's own JSON scalar carries a @specifiedBy URL that introspection drops, so the
    # schema a client rebuilds would differ from the committed one.
    JSON = strawberry.scalar(
        NewType("JSON", object),
        name="JSON",
        description="A JSON value: here, a whole record (a trial record as JSON, or a "
        "ClinicalTrials.gov API v2 study object).",
        serialize=lambda value: value,
        parse_value=lambda value: value,
    )

MARGIN = 0.25
"""Seconds of the request's time limit kept back so that a write that began its transaction is
answered before the limit (and one that did not is refused, not applied later)."""


class AuthenticationError(PublicError):
    """No valid bearer token: nothing is written."""


class WritesDisabled(PublicError):
    """The server takes no writes."""


class WriteTimedOut(PublicError):
    """The write did not begin within the time limit: nothing was written."""


@strawberry.enum(description="What a write did with the trial.")
class WriteStatus(enum.Enum):
    IMPORTED = "imported"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@strawberry.type(description="A problem that refused (or, as a warning, accompanied) a write.")
class WriteProblem:
    severity: str = strawberry.field(description="Violation (refusing) or Warning.")
    record_path: str = strawberry.field(
        description="Where in the record: a JSON pointer (with the file and line for files)."
    )
    focus_node: str | None = strawberry.field(description="The node the shapes found it on.")
    property: str | None = strawberry.field(description="The property, when one is at fault.")
    value: str | None
    message: str


@strawberry.type(description="What an import did: the trial written and how, or every problem.")
class ImportResult:
    status: WriteStatus
    trial: strawberry.ID | None = strawberry.field(description="The trial's id (trial/{id}).")
    written: bool = strawberry.field(description="Whether the store changed.")
    problems: list[WriteProblem]
    notes: list[str] = strawberry.field(description="Warnings and what the importer noted.")
    message: str | None = None


@strawberry.type(description="What a deletion did.")
class DeleteResult:
    id: strawberry.ID
    deleted: bool
    message: str | None = None


def _bearer(info: Info) -> str:
    """The token's name, or an error (and the HTTP status to answer with)."""
    context = info.context
    tokens = getattr(context.request.app.state, "tokens", None) if context.request else None
    writer = getattr(context.request.app.state, "writer", None) if context.request else None
    if tokens is None or writer is None or not tokens.configured():
        if context.response is not None:
            context.response.status_code = 403
        raise WritesDisabled(
            "This server takes no writes: no write token is configured (KG_TOKENS_FILE, "
            "kg token create)."
        )
    header = context.request.headers.get("authorization", "") if context.request else ""
    scheme, _, presented = header.partition(" ")
    name = tokens.name_of(presented.strip()) if scheme.lower() == "bearer" else None
    if name is None:
        if context.response is not None:
            context.response.status_code = 401
            context.response.headers["WWW-Authenticate"] = 'Bearer realm="evidence-kg"'
        raise AuthenticationError(
            "Authentication required: send a valid write token as `Authorization: Bearer ...`."
        )
    return str(name)


async def _write(
    info: Info, operation: Operation, payload: object
) -> WriteResult:
    name = _bearer(info)
    context = info.context
    loop = asyncio.get_running_loop()
    seconds = context.deadline - loop.time() - MARGIN
    if seconds <= 0:
        raise WriteTimedOut("The request's time limit was spent before the write began.")
    writer = context.request.app.state.writer
    request = WriteRequest(operation, payload, name, seconds)
    started = time.monotonic()
    result: WriteResult = await asyncio.to_thread(writer, request)
    if result.status == "timeout":
        raise WriteTimedOut(
            f"The write did not finish within the time limit ({time.monotonic() - started:.1f} "
            "s) and was rolled back: nothing was written."
        )
    return result


def _import_result(result: WriteResult) -> ImportResult:
    return ImportResult(
        status=WriteStatus(result.status),
        trial=strawberry.ID(result.trial) if result.trial else None,
        written=result.changed,
        problems=[
            WriteProblem(
                severity=str(p["severity"]),
                record_path=str(p["recordPath"] or "/"),
                focus_node=p.get("focusNode"),
                property=p.get("property"),
                value=p.get("value"),
                message=str(p["message"]),
            )
            for p in result.problems
        ],
        notes=list(result.notes),
        message=result.message,
    )


@strawberry.type
class Mutation:
    @strawberry.field(
        description="Import a curated trial record (the JSON form of trial-record/1): checked "
        "against its JSON Schema and the SHACL shapes with the store's reference data, then "
        "written as the trial's own graph, replacing the previous version whole. Needs a write "
        "token."
    )
    async def import_trial_record(
        self, info: Info, record: JSON
    ) -> ImportResult:
        return _import_result(await _write(info, "record", record))

    @strawberry.field(
        description="Import one ClinicalTrials.gov API v2 study record, mapped as kg import "
        "ctgov maps it. Needs a write token."
    )
    async def import_registry_record(
        self, info: Info, record: JSON
    ) -> ImportResult:
        return _import_result(await _write(info, "registry", record))

    @strawberry.field(
        description="Delete an imported trial (record or registry import) by its id. Trials "
        "curated in the server's data/ are changed there, not here. Needs a write token."
    )
    async def delete_trial(
        self, info: Info, id: strawberry.ID
    ) -> DeleteResult:
        result = await _write(info, "delete", str(id))
        return DeleteResult(id=id, deleted=result.status == "deleted", message=result.message)
