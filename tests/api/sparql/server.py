"""The project's own API under a real ``uvicorn`` on loopback, stopped by its own pid.

Used by the SPARQL protocol tests and the browser test: both need a real server, the first to
prove a slow query in one connection does not stall another, the second for Chromium to load.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port, stop, wait_until_up

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class KgServer:
    """A running ``api.app:create_app`` and the pid of its process."""

    base_url: str
    pid: int

    @property
    def sparql_url(self) -> str:
        return f"{self.base_url}/sparql"


def child_pids(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux /proc): the server's query workers."""
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return children


def is_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def kg_server(environment: Mapping[str, str] | None = None) -> Iterator[KgServer]:
    """Start ``uvicorn --factory api.app:create_app`` on a free port with ``KG_*`` settings."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_QUERY_TIMEOUT": "1", "KG_SPARQL_WORKERS": "2", **(environment or {})})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        server = KgServer(f"http://127.0.0.1:{port}", process.pid)
        wait_until_up(f"{server.base_url}/healthz", process, seconds=60)
        yield server
    finally:
        stop(process)
