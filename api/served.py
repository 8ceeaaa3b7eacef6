"""Each request reads through the :class:`kg.served.Served` current when it arrived.

The middleware here is the outermost layer of the app: before a request goes on, it lets a
several-process server's worker switch to its supervisor's newest snapshot (:mod:`api.writes`),
runs the periodic check for a generation moved around this process when one is due (in a
thread: on a remote store it is a round trip), and pins the Served on the request. Everything
after it (the answer cache, the routes, GraphQL's context, the pages) reads that one Served.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.served import Served, Serving

log = logging.getLogger(__name__)

SCOPE_KEY = "served"


def served_of(scope: Scope) -> Served | None:
    """The Served pinned on a request's ``scope`` by :class:`ServedPerRequest`."""
    found: Served | None = scope.get("state", {}).get(SCOPE_KEY)
    return found


def served_for(request: Request) -> Served:
    """The Served this request reads (pinned on arrival; the current one for a request that came
    in some other way, such as a test calling a route's dependency directly)."""
    found = served_of(request.scope)
    if found is None:
        serving: Serving = request.app.state.serving
        found = serving.current
    return found


async def get_served(request: Request) -> Served:
    """:func:`served_for` as a FastAPI dependency: ``async`` although it never waits, since
    FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop per request."""
    return served_for(request)


@dataclass
class ServedPerRequest:
    """ASGI middleware pinning the current Served on each HTTP request (see the module docstring).

    Args:
        app: the rest of the application.
        serving: this process's Serving.
        follow: switches to a newer snapshot if the supervisor published one (worker processes
            of a several-process server only; a ``stat`` when nothing moved).
    """

    app: ASGIApp
    serving: Serving
    follow: Callable[[], None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.follow is not None:
                self.follow()
            if self.serving.check_due():
                try:
                    await asyncio.to_thread(self.serving.check)
                except Exception:  # the store failing: the request's own reads say so
                    log.warning("the data generation could not be checked", exc_info=True)
            scope.setdefault("state", {})[SCOPE_KEY] = self.serving.current
        await self.app(scope, receive, send)


def install(app: FastAPI, serving: Serving, follow: Callable[[], None] | None) -> None:
    """Put :class:`ServedPerRequest` outside every other middleware of ``app`` (add it last)."""
    app.add_middleware(ServedPerRequest, serving=serving, follow=follow)
