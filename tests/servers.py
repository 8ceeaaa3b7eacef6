"""Real servers for tests, started on loopback and stopped by their own process id.

``oxigraph_server`` is a SPARQL store for the remote backend; ``kg_server`` is the project's own
API under uvicorn, used by the SPARQL, GraphQL and browser tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 20.0) -> None:
    """Poll ``url`` until it answers, failing early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process by its pid, then SIGKILL if it lingers."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass(frozen=True)
class OxigraphServer:
    """A running ``oxigraph serve`` with its endpoints."""

    base_url: str

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_spec(self) -> str:
        return f"sparql:{self.query_url},{self.update_url}"


def oxigraph_binary() -> str:
    """The ``oxigraph`` CLI installed with the test extras, beside this interpreter."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server is not installed: pip install -e '.[test]'")
    return found


@contextmanager
def oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on a free loopback port, union default graph on; stop it after."""
    port = free_port()
    process = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = OxigraphServer(f"http://127.0.0.1:{port}")
        wait_until_up(f"{server.query_url}?query=ASK%7B%7D", process)
        yield server
    finally:
        stop(process)


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
