"""uvicorn on loopback for the latency benchmarks: started here, polled until it answers,
stopped by its own pid. One copy for graphql_latency.py and graphql_scale.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_app(
    factory: str,
    settings: Mapping[str, str],
    *,
    health: str,
    start_seconds: float,
    options: Sequence[str] = (),
) -> Iterator[str]:
    """Serve ``factory`` (``module:function``) with only the given ``KG_*`` settings; yields the
    base URL once ``health`` answers 200."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")} | dict(settings)
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, *options]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                httpx.get(f"{url}{health}", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
