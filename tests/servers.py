"""Real servers for tests, started on loopback and stopped by their own process id.

``oxigraph_server`` and ``virtuoso_server`` are SPARQL stores for the remote backend; ``kg_server``
is the project's own API under uvicorn, used by the SPARQL, GraphQL and browser tests.
"""

from __future__ import annotations

import os
import platform
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

from tests.programs import program


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
    pid: int

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base_url}/store"

    @property
    def store_spec(self) -> str:
        """Query and Update only: graphs are replaced by one SPARQL update."""
        return f"sparql:{self.query_url},{self.update_url}"

    @property
    def full_store_spec(self) -> str:
        """Query, Update and the Graph Store Protocol (graphs replaced by a PUT)."""
        return f"sparql:{self.query_url},{self.update_url},{self.graph_store_url}"


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
            # Stop what a killed client left running (the hostile-query tests) soon: it holds
            # a shared core, and the next tests' queries run beside it under a 1 s limit.
            "--timeout-s",
            "3",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = OxigraphServer(f"http://127.0.0.1:{port}", process.pid)
        wait_until_up(f"{server.query_url}?query=ASK%7B%7D", process)
        yield server
    finally:
        stop(process)


def run_isql(isql: str, sql_port: int, statement: str, what: str) -> None:
    """Run one SQL ``statement`` on the Virtuoso at ``sql_port`` as dba; fail saying ``what``
    could not be done, with isql's output."""
    said = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if said.returncode != 0:
        raise RuntimeError(f"isql could not {what}: {said.stdout}{said.stderr}")


def virtuoso_binaries() -> tuple[str, str]:
    """``virtuoso-t`` and ``isql-vt``, as ``scripts/provision.py`` installs them (a test that
    needs them is skipped, or fails under ``CI=true``, when they are missing)."""
    return program("virtuoso-t"), program("isql-vt")


def virtuoso_version() -> str:
    """What ``virtuoso-t`` says of itself (``Version 07.20.3229 ...``)."""
    server, _ = virtuoso_binaries()
    said = subprocess.run([server, "-?"], capture_output=True, text=True, check=False)
    for line in (said.stdout + said.stderr).splitlines():
        if "Version" in line:
            return line.strip()
    return "unknown"


@dataclass(frozen=True)
class VirtuosoServer:
    """A running ``virtuoso-t`` and its endpoints (all on the one HTTP port)."""

    base_url: str
    pid: int
    sql_port: int

    def stop_queries(self) -> None:
        """Stop every query the server is evaluating (``txn_killall``, through ``isql``).

        Why: Virtuoso goes on with a query whose client has gone far past its
        ``MaxQueryExecutionTime`` (an abandoned cross-product COUNT held a core for 75 s), so what
        a test's killed API worker sent would run beside the next tests. Only for a moment when
        no test query is meant to be running.
        """
        _, isql = virtuoso_binaries()
        run_isql(isql, self.sql_port, "txn_killall(1);", "stop Virtuoso's queries")

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base_url}/sparql-graph-crud"

    @property
    def store_spec(self) -> str:
        # Updates through /sparql itself: the test instance grants SPARQL_UPDATE to the
        # anonymous SPARQL user (never do that on a server reachable from elsewhere; use
        # http://dba:PASSWORD@host/sparql-auth and /sparql-graph-crud-auth there).
        return f"sparql:{self.query_url},{self.query_url},{self.graph_store_url}"

    def authenticated_spec(self, user: str, password: str) -> str:
        """The spec a real deployment uses: the Digest-protected endpoints, with credentials."""
        host = self.base_url.removeprefix("http://")
        return (
            f"sparql:http://{host}/sparql,http://{user}:{password}@{host}/sparql-auth,"
            f"http://{user}:{password}@{host}/sparql-graph-crud-auth"
        )


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {folder}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 3
"""
"""A small instance on loopback; ``ResultSetMaxRows`` is raised from its default (10,000) because
copying the store (``Store.dataset``) reads every quad in one SELECT; queries are meant to stop
after 3 s so that what a killed client left running (the hostile-query tests) does not hold a
shared core for long, and the next tests' queries, under the API's 1 s limit, do not run beside
it (a 503 in test_protocol under load). Virtuoso does not hold every query to this limit: an
abandoned cross-product COUNT ran for 75 s, so the hostile-query tests also stop what is left
(:meth:`VirtuosoServer.stop_queries`). The test stores are small: their queries take
milliseconds."""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[VirtuosoServer]:
    """Start ``virtuoso-t`` with its own ini and database in ``folder`` on free loopback ports.

    The anonymous SPARQL user may update (a test instance only); stopped by its pid after.
    """
    server_binary, isql = virtuoso_binaries()
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(
        [server_binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = VirtuosoServer(f"http://127.0.0.1:{http_port}", process.pid, sql_port)
        wait_until_up(f"{server.query_url}?query=ASK%7B%7D", process, seconds=90)
        run_isql(isql, sql_port, 'grant SPARQL_UPDATE to "SPARQL";', "grant SPARQL_UPDATE")
        yield server
    finally:
        stop(process)


PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (tests/servers.py is one folder down): uvicorn starts there, so that
``api.app`` and the project's data are this checkout's even without an editable install."""


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


READ_SYSCALL = {"x86_64": 0, "aarch64": 63}
"""Linux's number for read(2) on each machine: what ``/proc/<pid>/syscall`` starts with for a
process blocked reading."""


def is_waiting_on_stdin(pid: int) -> bool:
    """Whether ``pid`` is blocked reading its standard input (Linux ``/proc/<pid>/syscall``).

    A query worker is there, and only there, when it has opened the graph and waits for a query:
    while it starts, loads or evaluates it runs, or waits on a file or a socket.
    """
    number = READ_SYSCALL.get(platform.machine())
    if number is None:
        raise RuntimeError(f"no read(2) syscall number known for {platform.machine()}")
    try:
        said = Path(f"/proc/{pid}/syscall").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return False  # gone
    return said[:2] == [str(number), "0x0"]


def idle_workers(server: KgServer) -> set[int]:
    """The query workers of ``server`` that have started and wait for a query."""
    return {pid for pid in child_pids(server.pid) if is_waiting_on_stdin(pid)}


def wait_for_idle_workers(server: KgServer, count: int = 2, seconds: float = 60.0) -> None:
    """Wait until ``server`` has ``count`` query workers, all started and idle.

    Why: a worker killed for running over the time limit is replaced by a new process, which
    takes a tenth of a second to seconds (on a loaded machine) to open the graph; meanwhile the
    pool is one worker short, and a test that counts on a free worker beside a busy one would
    wait for it. Idle twice in a row 20 ms apart, because a worker reading its start-up message
    in pieces is briefly blocked on its standard input too.
    """
    deadline = time.monotonic() + seconds
    seen: set[int] = set()
    while time.monotonic() < deadline:
        workers = child_pids(server.pid)
        if len(workers) == count and idle_workers(server) == workers:
            if workers == seen:
                return
            seen = workers
        else:
            seen = set()
        time.sleep(0.02)
    raise AssertionError(
        f"{count} idle query workers expected within {seconds} s; "
        f"children {sorted(child_pids(server.pid))}, idle {sorted(idle_workers(server))}"
    )


def wait_for_busy_worker(server: KgServer, seconds: float = 10.0) -> None:
    """Wait until a query worker of ``server`` is busy (a query sent meanwhile has reached it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child_pids(server.pid) - idle_workers(server):
            return
        time.sleep(0.005)
    raise AssertionError(f"no query worker became busy within {seconds} s")


def cpu_ticks(pid: int) -> int:
    """CPU time ``pid`` has used, in clock ticks (user + system, Linux ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)


def wait_until_quiet(pid: int, seconds: float = 15.0, window: float = 0.2) -> None:
    """Wait until ``pid`` uses (almost) no CPU: at most one clock tick in ``window`` seconds.

    Why: a remote store goes on evaluating a query whose client was killed (the API's worker, at
    its time limit) until its own limit; a test that needs a free core beside a new hostile
    query must not start while an old one still runs. Fails if the process stays busy.
    """
    deadline = time.monotonic() + seconds
    started_at, ticks = time.monotonic(), cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(window / 4)
        now, used = time.monotonic(), cpu_ticks(pid)
        if used - ticks > 1:
            started_at, ticks = now, used
        elif now - started_at >= window:
            return
    raise AssertionError(f"process {pid} still busy after {seconds} s")


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
