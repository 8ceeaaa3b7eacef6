"""The event loop kg serve answers on runs every callback above one frame with room on the
stack (api.loop), whichever loop is installed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

import pytest

from api import loop as loops


@pytest.fixture(params=["uvloop", "asyncio"])
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each kind of loop api.loop makes: uvloop (installed with uvicorn[standard]) and, as
    where it is not, asyncio's own."""
    monkeypatch.setattr(loops, "event_loop", lambda: request.param)
    loops._roomy_loop.cache_clear()
    yield request.param
    loops._roomy_loop.cache_clear()


def _frames_below() -> list[str]:
    frame = sys._getframe(1)
    names = []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names


def test_callbacks_and_tasks_run_above_the_roomy_frame(kind: str) -> None:
    async def request() -> list[str]:
        await asyncio.sleep(0)  # resumed by the loop, as a request's later steps are
        return _frames_below()

    with asyncio.Runner(loop_factory=loops.new_event_loop) as runner:
        below = runner.run(request())
        is_uvloop = any(c.__module__.startswith("uvloop") for c in type(runner.get_loop()).__mro__)
    assert "with_room" in below
    assert is_uvloop == (kind == "uvloop")


def test_the_roomy_frame_is_larger_than_a_stack_chunk() -> None:
    """A frame bigger than CPython's 16 KiB chunk gets a chunk of its own; the code's stack size
    is what sizes the frame."""
    assert loops.with_room.__code__.co_stacksize == loops.ROOM
    assert loops.ROOM * 8 > 16 * 1024
    assert loops.with_room(lambda: 42) == 42


def test_a_failing_request_fails_as_on_any_loop(kind: str) -> None:
    async def failing() -> None:
        raise LookupError("no such trial")

    with (
        asyncio.Runner(loop_factory=loops.new_event_loop) as runner,
        pytest.raises(LookupError, match="no such trial"),
    ):
        runner.run(failing())
