"""Registry import at scale: records imported, validated and queryable per second, and what a
concurrent import does to the README query.

For each N: ``kg synth`` writes N synthetic ClinicalTrials.gov records (JSON Lines), ``kg import
ctgov`` imports them into a fresh on-disk store (every batch validated with the shapes and
written in one transaction), then ``kg serve`` opens the store and answers ``trial(id:)`` for the
last record: the time to queryable is import plus that first answer. Target: 100,000 records in
under an hour on two cores (about 28 records/s).

Then, once, the README GraphQL query during an import: the server and the importer share a
remote store (``oxigraph serve`` on loopback, the embedded store admitting one writer). The README
query's p50 is measured idle, then while ``kg import ctgov`` writes ``--concurrent`` records into
the same store; target: at most 2x the idle p50.

Run: ``python benchmarks/ctgov_import.py [N ...] [--concurrent 2000] [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from server_restart import README_QUERY, Server, free_port, stop_server, wait_for  # noqa: E402

from kg.ctgov.synth import FIRST_NCT  # noqa: E402
from tests.servers import oxigraph_server  # noqa: E402

BIN = Path(sys.executable).parent
OUT = ROOT / "benchmarks" / "out"


def synth(count: int, folder: Path) -> Path:
    path = folder / f"ctgov-{count}.jsonl"
    if not path.exists():
        subprocess.run([str(BIN / "kg"), "synth", "--trials", str(count), "-o", str(path)], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def kg_import(records: Path, store: str) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "kg"), "import", "ctgov", str(records), "--store", store, "--no-progress",
         "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some refused by the shapes, counted in the table
        raise RuntimeError(f"kg import exited {done.returncode}: {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    summary.pop("studies", None)
    return seconds, summary


@contextmanager
def serving(store: str, extra: dict[str, str] | None = None) -> Iterator[Server]:
    import os

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_STORE": store, "KG_PORT": str(port), "KG_ACCESS_LOG": "0", **(extra or {})})
    process = subprocess.Popen([str(BIN / "kg"), "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_for(server, "/health", lambda response: response.status_code == 200, 1800)
        yield server
    finally:
        stop_server(server)


def first_answer(store: str, nct: str) -> float:
    """Seconds from `kg serve` start to its answer of trial(id:) for ``nct``."""
    started = time.monotonic()
    query = {"query": f'{{ trial(id: "{nct}") {{ registryIds endpoints {{ name }} }} }}'}
    with serving(store) as server:
        def answered(response: httpx.Response) -> bool:
            body = response.json()
            return response.status_code == 200 and (body.get("data") or {}).get("trial") is not None
        return wait_for(server, "/graphql", answered, 600, body=query, started=started)


def readme_latencies(server: Server, stop: threading.Event, limit: int) -> list[float]:
    times: list[float] = []
    with httpx.Client(timeout=60) as client:
        while not stop.is_set() and len(times) < limit:
            started = time.perf_counter()
            response = client.post(f"{server.url}/graphql", json={"query": README_QUERY})
            times.append(time.perf_counter() - started)
            if response.status_code != 200 or response.json().get("errors"):
                raise RuntimeError(f"README query failed: {response.text[:500]}")
            time.sleep(0.02)
    return times


def concurrent(count: int, folder: Path) -> dict[str, float]:
    records = synth(count, folder)
    with oxigraph_server(folder / "remote") as remote:
        store = remote.store_spec
        with serving(store) as server:
            idle = readme_latencies(server, threading.Event(), 200)
            stop = threading.Event()
            during: list[float] = []
            sampler = threading.Thread(target=lambda: during.extend(readme_latencies(server, stop, 10**9)))
            sampler.start()
            try:
                seconds, summary = kg_import(records, store)
            finally:
                stop.set()
                sampler.join()
    idle_p50 = statistics.median(idle) * 1000
    during_p50 = statistics.median(during) * 1000
    return {
        "records": count,
        "import s": seconds,
        "records/s": count / seconds,
        "idle p50 ms": idle_p50,
        "during p50 ms": during_p50,
        "ratio": during_p50 / idle_p50,
        "samples": len(during),
        "imported": float(summary["imported"]),  # type: ignore[arg-type]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000])
    parser.add_argument("--concurrent", type=int, default=2000, metavar="N",
                        help="records imported while the README query is timed (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the stores in benchmarks/out")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    print("| records | import s | records/s | to queryable s | refused | store MiB |")
    print("|---|---|---|---|---|---|")
    for count in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"ctgov-{count}-", dir=OUT))
        try:
            records = synth(count, folder)
            store = f"oxigraph:{folder / 'store'}"
            seconds, summary = kg_import(records, store)
            answer = first_answer(store, f"NCT{FIRST_NCT + count:08d}")
            size = sum(p.stat().st_size for p in (folder / "store").rglob("*") if p.is_file()) / 2**20
            print(f"| {count:,} | {seconds:,.1f} | {count / seconds:,.1f} | {seconds + answer:,.1f} | "
                  f"{summary['refused']} | {size:,.0f} |", flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    if args.concurrent:
        folder = Path(tempfile.mkdtemp(prefix="ctgov-concurrent-", dir=OUT))
        try:
            row = concurrent(args.concurrent, folder)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        print()
        print("README query during an import into a remote store (oxigraph serve; kg serve and kg import "
              "on the same store):")
        print("| records | import s | records/s | README idle p50 ms | during p50 ms | ratio | samples |")
        print("|---|---|---|---|---|---|---|")
        print(f"| {row['records']:,.0f} | {row['import s']:,.1f} | {row['records/s']:,.1f} | "
              f"{row['idle p50 ms']:.1f} | {row['during p50 ms']:.1f} | {row['ratio']:.2f}x | "
              f"{row['samples']:,.0f} |")


if __name__ == "__main__":
    main()
