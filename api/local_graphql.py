"""GraphQL run in-process for the HTML pages: the same schema, limits and context as ``/graphql``.

Why the pages read through GraphQL: the landing page, the trial list and the trial page then
show exactly what the public API says, through the read model's one mapping from the graph, so
a trial imported from a registry (other figures, other sources) renders through the same code as
DASCERN; and the page queries are documents of the public schema
(``api/pages/queries/*.graphql``), which the SDL snapshot keeps stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import Request
from strawberry.schema.base import BaseSchema

from api.graphql.context import EvidenceContext, served_context
from kg.served import Served


class PageDataError(Exception):
    """A page's query answered errors; the message is the first, for the page to show."""


def page_query(name: str) -> str:
    """The text of ``api/pages/queries/<name>.graphql``."""
    folder = resources.files("api.pages").joinpath("queries")
    return folder.joinpath(f"{name}.graphql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class LocalGraphQL:
    """Executes page queries on the app's schema (kept on ``app.state.local_graphql``)."""

    schema: BaseSchema
    timeout_seconds: float
    keep_reads: bool
    """Whether reads are kept for the generation (:func:`api.graphql.context.served_context`)."""

    def context(self, served: Served) -> EvidenceContext:
        """A request's context reading ``served``, for the pages and /graphql alike (must run
        inside the event loop that executes the request)."""
        return served_context(served, self.timeout_seconds, keep_reads=self.keep_reads)

    async def run(self, served: Served, name: str, **variables: Any) -> dict[str, Any]:
        """``data`` of page query ``name`` read from ``served``; :class:`PageDataError` if it
        answered errors."""
        context = self.context(served)
        result = await self.schema.execute(
            page_query(name), variable_values=variables, context_value=context
        )
        if result.errors:
            raise PageDataError(result.errors[0].message)
        data: dict[str, Any] = result.data or {}
        return data


def local_graphql(request: Request) -> LocalGraphQL:
    """The app's in-process GraphQL."""
    runner: LocalGraphQL = request.app.state.local_graphql
    return runner
