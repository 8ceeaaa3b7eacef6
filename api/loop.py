"""The event loop `kg serve` answers on: uvloop when installed, run with room on Python's stack.

Why room: CPython (3.11 to 3.13) keeps a thread's Python frames in chunks of 16 KiB. A call
that does not fit in the current chunk gets a new one from ``mmap``, which is unmapped as soon as
that call returns (CPython issue gh-142183, fixed by keeping a spare chunk only in later 3.13
and 3.14 releases). GraphQL execution recurses about ten calls a level of the answer, so a
request's stack moves up and down across such a boundary again and again: a never-read page of
the filtered list made 1,600 to 6,200 ``mmap``/``munmap`` pairs (counted with ``strace``), as
many as where the boundary happened to fall, which depended on how deep the stack below the
loop was, that is on how the server was started. The same page took 50 ms from one entry point
and 76 ms from ``kg serve``.

Running the loop inside :func:`with_room`, whose frame asks for :data:`ROOM` slots, makes
CPython give that frame a chunk of 128 KiB of its own, of which about 72 KiB are left above it
for the frames of every callback and request the loop runs; the chunk lives as long as the
loop. On a CPython that keeps a spare chunk this costs one allocation and changes nothing else.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, TypeVar

T = TypeVar("T")
LoopName = Literal["uvloop", "asyncio"]

ROOM = 7_200
"""Stack slots (8 bytes each) :func:`with_room`'s frame asks for: more than a 16 KiB chunk
holds, so it gets a chunk of its own, and CPython sizes that chunk to the next power of two
above the frame and 1,000 slots of headroom (128 KiB), leaving about 9,000 slots free above it."""

FACTORY = "api.loop:new_event_loop"
""":func:`new_event_loop` as uvicorn's ``loop`` option takes a loop factory of one's own."""


def with_room(call: Callable[[], T]) -> T:
    """``call()``, run above a frame of :data:`ROOM` slots (see the module docstring)."""
    return call()


# The frame's size comes from its code's stack size; the code never uses the extra slots.
with_room.__code__ = with_room.__code__.replace(co_stacksize=ROOM)


def event_loop() -> LoopName:
    """uvloop when installed (``uvicorn[standard]``): about 3x the requests per second of asyncio."""
    return "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


@cache
def _roomy_loop() -> type[asyncio.AbstractEventLoop]:
    """The loop class of :func:`event_loop`'s kind, its ``run_until_complete`` (what
    ``asyncio.run`` and uvicorn call) run with room on the stack (:func:`with_room`)."""
    base: type[asyncio.AbstractEventLoop]
    if event_loop() == "uvloop":
        import uvloop

        base = uvloop.Loop
    else:
        base = asyncio.SelectorEventLoop

    class RoomyLoop(base):  # type: ignore[valid-type, misc]
        def run_until_complete(self, future: Any) -> Any:
            return with_room(lambda: base.run_until_complete(self, future))

    return RoomyLoop


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop of :func:`event_loop`'s kind that runs with room on the stack."""
    return _roomy_loop()()
