"""GraphQL latency at scale: the README query and a filtered list over N synthetic trials.

For each N (argv; default 1000 10000) the cached on-disk store of ``corpus.loaded_store(N)`` is
opened read-only, here and in a uvicorn server on loopback, and each query is answered four ways,
round-robin so that a burst of load on the shared machine hits them all alike:

(a) the equivalent hand-written SPARQL called directly on pyoxigraph (the raw baseline; every
    solution is read into a dict of values, and the answer normalized as below);
(b) GraphQL in-process (``schema.execute``, each store call inline or in a thread as ``kg serve``
    runs it: see :func:`kg.store.may_run_inline`);
(c) GraphQL over HTTP (POST /graphql, httpx keep-alive);
(d) the SPARQL of (a) through the /sparql endpoint over HTTP (JSON results);
(e) GraphQL in-process reading the listing from the projection's facets, as ``kg serve`` does on
    an embedded store once its builder completed them (``kg.facet_index.Facets``, built here
    once per N into a temporary file, the build timed and printed; the answer cache stays off,
    so every request runs): the page's items and totalCount are found by indexed SQL instead
    of the store's SPARQL, so it shows what a page costs beyond finding them;
(f) the filtered list over HTTP, a page never asked before each time: each request asks the
    page after the one before (its ``endCursor``), so none of its trials was read by the server
    yet, while (c) asks the same page again and, like a frontend's repeat with another document,
    finds its reads kept for the generation (``api.graphql.loaders.KeptReads``).

It prints one markdown table with p50/p95 of each and the ratio of each p50 to (a), after checking
that the four give the same answers (the same facts, once both shapes are normalized). Queries:
``api/graphql/examples/{readme_query,filtered_list}.graphql`` and their SPARQL equivalents in
``kg/queries/readmodel/benchmark_*.rq`` (the filtered list as two queries, the page and then its
details, since one query joining a page sub-SELECT to a UNION is evaluated badly by oxigraph).

Run: ``python benchmarks/graphql_scale.py [N ...] [--runs R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from corpus import bench_dir, loaded_store  # noqa: E402
from serving import uvicorn_app  # noqa: E402

from api.graphql.context import make_context  # noqa: E402
from api.graphql.enums import ARM_ROLE, STATISTIC_TYPE  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from kg import queries  # noqa: E402
from kg.facet_index import Facets  # noqa: E402
from kg.facets import read_facets  # noqa: E402
from kg.projection import Projection  # noqa: E402
from kg.readmodel.sparql import render, values  # noqa: E402
from kg.store import Store  # noqa: E402
from kg.stores.oxigraph import OxigraphStore  # noqa: E402

EXAMPLES = ROOT / "api" / "graphql" / "examples"
STORE_ENV = "KG_BENCH_STORE_PATH"
Facts = frozenset[tuple[Any, ...]]
SparqlRow = Mapping[str, str]


def read_only_app() -> Any:
    """uvicorn factory: the API over the read-only store named by $KG_BENCH_STORE_PATH, without
    the curated rebuild ``create_app`` does at start (which would write into the store)."""
    from api.app import create_app
    from kg.settings import Settings

    path = os.environ[STORE_ENV]
    return create_app(Settings.from_env(), store=OxigraphStore.read_only(path))


# Answers, normalized so GraphQL JSON and SPARQL rows can be compared ------------------------------


def value(term: Any) -> Any:
    """A scalar as both shapes can give it: numbers as floats, booleans as bools."""
    if term is None or isinstance(term, bool):
        return term
    if isinstance(term, int | float):
        return float(term)
    if term in ("true", "false"):
        return term == "true"
    try:
        return float(term)
    except ValueError:
        return term


def enum_name(table: Mapping[Any, Any], iri: str | None) -> str | None:
    found = table.get(iri) if iri is not None else None
    return found.name if found is not None else None


def readme_from_graphql(data: dict[str, Any]) -> Facts:
    trial = data["trial"]
    facts: set[tuple[Any, ...]] = {("trial", trial["acronym"])}
    facts |= {("registry", r) for r in trial["registryIds"]}
    for endpoint in trial["endpoints"]:
        name = endpoint["name"]
        for r in endpoint["results"]:
            population = (r["analysisPopulation"] or {}).get("label")
            facts.add(
                (
                    "result",
                    name,
                    r["arm"]["label"],
                    value(r["arm"]["participants"]),
                    value(r["value"]),
                    value(r["count"]),
                    value(r["denominator"]),
                    population,
                )
            )
        for c in endpoint["comparisons"]:
            arms = (c["intervention"]["label"], c["comparator"]["label"])
            for e in c["estimates"]:
                facts.add(
                    (
                        "estimate",
                        name,
                        *arms,
                        value(c["pValue"]),
                        e["statistic"],
                        value(e["value"]),
                        value(e["ciLower"]),
                        value(e["ciUpper"]),
                        value(e["ciLevel"]),
                        e["derived"],
                        (e["method"] or {}).get("name"),
                    )
                )
            for s in c["sources"]:
                publication = s["publication"] or {}
                facts.add(
                    (
                        "source",
                        name,
                        s["statement"],
                        publication.get("doi"),
                        publication.get("title"),
                    )
                )
    return frozenset(facts)


def readme_from_sparql(rows: list[SparqlRow]) -> Facts:
    facts: set[tuple[Any, ...]] = set()
    for row in rows:
        g = row.get
        if g("acronym"):
            facts.add(("trial", g("acronym")))
        if g("registryId"):
            facts.add(("registry", g("registryId")))
        if g("result"):
            facts.add(
                (
                    "result",
                    g("name"),
                    g("armLabel"),
                    value(g("participants")),
                    value(g("value")),
                    value(g("count")),
                    value(g("denominator")),
                    g("population"),
                )
            )
        if g("estimate"):
            facts.add(
                (
                    "estimate",
                    g("name"),
                    g("interventionLabel"),
                    g("comparatorLabel"),
                    value(g("pValue")),
                    enum_name(STATISTIC_TYPE.by_iri, g("statistic")),
                    value(g("estimateValue")),
                    value(g("ciLower")),
                    value(g("ciUpper")),
                    value(g("ciLevel")),
                    value(g("derived")),
                    g("method"),
                )
            )
        if g("statement") or g("doi"):
            publication = value(g("publication"))
            doi, title = (g("doi"), g("title")) if publication else (None, None)
            facts.add(("source", g("name"), g("statement"), doi, title))
    return frozenset(facts)


PAGE_SIZE = 50


def list_from_graphql(data: dict[str, Any]) -> Facts:
    trials = data["trials"]
    order = tuple(edge["node"]["id"] for edge in trials["edges"])
    facts: set[tuple[Any, ...]] = {
        ("total", trials["totalCount"]),
        ("hasNextPage", trials["pageInfo"]["hasNextPage"]),
        ("order", order),
    }
    for edge in trials["edges"]:
        trial = edge["node"]
        tid = trial["id"]
        facts.add(("acronym", tid, trial["acronym"]))
        for arm in trial["arms"]:
            facts.add(("arm", tid, arm["label"], arm["role"], value(arm["participants"])))
        for endpoint in trial["endpoints"]:
            name = endpoint["name"]
            for r in endpoint["results"]:
                facts.add(
                    (
                        "result",
                        tid,
                        name,
                        r["arm"]["label"],
                        value(r["value"]),
                        value(r["count"]),
                        value(r["denominator"]),
                    )
                )
            for c in endpoint["comparisons"]:
                arms = (c["intervention"]["label"], c["comparator"]["label"])
                facts.add(("comparison", tid, name, *arms, value(c["pValue"])))
                for e in c["estimates"]:
                    facts.add(
                        (
                            "estimate",
                            tid,
                            name,
                            *arms,
                            e["statistic"],
                            value(e["value"]),
                            value(e["ciLower"]),
                            value(e["ciUpper"]),
                            e["derived"],
                        )
                    )
    return frozenset(facts)


def list_from_sparql(rows: list[SparqlRow]) -> Facts:
    total = int(rows[0]["total"]) if rows else 0
    acronyms = {row["trial"]: row.get("acronym") for row in rows}
    order = tuple(sorted(acronyms, key=lambda t: ((acronyms[t] or "").lower(), t)))
    facts: set[tuple[Any, ...]] = {
        ("total", total),
        ("hasNextPage", total > PAGE_SIZE),
        ("order", order),
    }
    facts |= {("acronym", t, a) for t, a in acronyms.items()}
    for row in rows:
        g = row.get
        tid = row["trial"]
        if g("arm"):
            role = enum_name(ARM_ROLE.by_iri, g("role"))
            facts.add(("arm", tid, g("armLabel"), role, value(g("participants"))))
        if g("result"):
            facts.add(
                (
                    "result",
                    tid,
                    g("name"),
                    g("resultArmLabel"),
                    value(g("value")),
                    value(g("count")),
                    value(g("denominator")),
                )
            )
        if g("comparison"):
            arms = (g("interventionLabel"), g("comparatorLabel"))
            if not g("estimate"):
                facts.add(("comparison", tid, g("name"), *arms, value(g("pValue"))))
            else:
                facts.add(
                    (
                        "estimate",
                        tid,
                        g("name"),
                        *arms,
                        enum_name(STATISTIC_TYPE.by_iri, g("statistic")),
                        value(g("estimateValue")),
                        value(g("ciLower")),
                        value(g("ciUpper")),
                        value(g("derived")),
                    )
                )
    return frozenset(facts)


Run = Callable[[str], Awaitable[list[SparqlRow]]]
"""Answer one SPARQL query (directly or over HTTP) as rows of values."""


async def ask_readme(run: Run) -> list[SparqlRow]:
    return await run(queries.load("readmodel/benchmark_readme"))


async def ask_filtered_list(run: Run) -> list[SparqlRow]:
    """Two queries, as a client would send them: the page (with the count), then its details."""
    page = await run(queries.load("readmodel/benchmark_filtered_list_page"))
    trials = values(row["trial"] for row in page)
    details = await run(render("benchmark_filtered_list_details", trials=trials)) if trials else []
    total = {"total": page[0]["total"]} if page else {}
    acronyms = {row["trial"]: row.get("acronym") for row in page}
    return [
        {**total, **({"acronym": a} if (a := acronyms.get(row["trial"])) else {}), **row}
        for row in [*({"trial": t} for t in acronyms), *details]
    ]


@dataclass(frozen=True)
class Case:
    """One query in both languages, with how to normalize each answer."""

    name: str
    graphql: str
    ask: Callable[[Run], Awaitable[list[SparqlRow]]]
    from_graphql: Callable[[dict[str, Any]], Facts]
    from_sparql: Callable[[list[SparqlRow]], Facts]


FILTERED_LIST = (EXAMPLES / "filtered_list.graphql").read_text(encoding="utf-8")
"""The filtered list a frontend pages through (its first page)."""

PAGE = "first: 50)"
"""The filtered list's page argument, where :func:`page_after` adds a cursor."""


def page_after(document: str, cursor: str) -> str:
    """``document`` (the filtered list) asking for the page after ``cursor``."""
    return document.replace(PAGE, f'{PAGE[:-1]}, after: "{cursor}")', 1)


CASES = [
    Case(
        "README query",
        (EXAMPLES / "readme_query.graphql").read_text(encoding="utf-8"),
        ask_readme,
        readme_from_graphql,
        readme_from_sparql,
    ),
    Case(
        "filtered list (drug, first 50)",
        FILTERED_LIST,
        ask_filtered_list,
        list_from_graphql,
        list_from_sparql,
    ),
]


# Running the four ways ----------------------------------------------------------------------------


def direct_rows(store: ox.Store, sparql: str) -> list[SparqlRow]:
    result = store.query(sparql, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [
        {name: term.value for name in names if (term := solution[name]) is not None}
        for solution in result
    ]


def http_rows(body: dict[str, Any]) -> list[SparqlRow]:
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


@dataclass(frozen=True)
class BuiltFacets:
    """The facets of every study of a store, in a projection file of their own."""

    facets: Facets
    seconds: float
    """The whole build: reading the facets from the store, writing and marking them."""
    read_seconds: float
    """Of it, reading them from the store (:func:`kg.facets.read_facets`)."""
    megabytes: float
    """The file's size once its write-ahead log is checkpointed into it."""


@contextmanager
def built_facets(store: Store) -> Iterator[BuiltFacets]:
    """The listings of ``store`` as ``kg serve`` reads them on an embedded store once its
    builder completed a pass (:meth:`api.graphql.documents.ProjectionBuilder.build_facets`):
    every study's facets, read by the few whole-store queries of :func:`kg.facets.read_facets`
    and put in one go into a new projection file (removed on exit) for one generation, as the
    builder reads them after a load (it puts them ``FACET_BATCH`` studies a transaction).

    Why built here and timed: the facets replace the listing memory, which read each listing
    whole on its first request; what they cost moved from that request to this build, beside
    serving. The file is a temporary one under the bench folder, never the projection a server
    would keep beside the cached store."""
    with tempfile.TemporaryDirectory(dir=bench_dir()) as folder:
        path = Path(folder) / "store.projection.sqlite"
        started = time.perf_counter()
        projection = Projection(path)
        sequence = projection.register("benchmark", None)
        found = read_facets(store)
        read_seconds = time.perf_counter() - started
        projection.put_facets(sequence, found)
        projection.mark_facets(sequence)
        seconds = time.perf_counter() - started
        with closing(sqlite3.connect(path)) as database:
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        megabytes = path.stat().st_size / 1e6
        yield BuiltFacets(projection.facets_at(sequence), seconds, read_seconds, megabytes)
        projection.close()


def uvicorn_server(store_path: Path, start_seconds: float) -> AbstractContextManager[str]:
    """uvicorn serving the API over ``store_path`` on loopback, stopped by its pid."""
    return uvicorn_app(
        "graphql_scale:read_only_app",
        {
            STORE_ENV: str(store_path),
            "KG_STORE": f"oxigraph:{store_path}",  # the embedded store: store calls run inline
            "KG_SPARQL_WORKERS": "1",  # requests here are sequential; one worker is enough
            "KG_QUERY_TIMEOUT": "60",
        },
        health="/health",
        start_seconds=start_seconds,
        options=["--app-dir", str(BENCH)],
    )


Mode = Callable[[], Coroutine[Any, Any, Facts]]
MODES = [
    "(a) SPARQL direct",
    "(b) GraphQL in-process",
    "(c) GraphQL HTTP",
    "(d) SPARQL HTTP",
    "(e) GraphQL, facets",
    "(f) GraphQL HTTP, new page",
]


async def measure(modes: dict[str, Mode], runs: int, warmup: int) -> dict[str, list[float]]:
    """Run the modes round-robin; the first answer of each is checked by the caller."""
    samples: dict[str, list[float]] = {name: [] for name in modes}
    for index in range(warmup + runs):
        for name, mode in modes.items():
            started = time.perf_counter()
            await mode()
            if index >= warmup:
                samples[name].append(time.perf_counter() - started)
    return samples


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def modes_for(
    case: Case,
    native: ox.Store,
    store: OxigraphStore,
    schema: Any,
    client: httpx.Client,
    facets: Facets,
) -> dict[str, Mode]:
    async def run_direct(sparql: str) -> list[SparqlRow]:
        return direct_rows(native, sparql)

    async def run_http(sparql: str) -> list[SparqlRow]:
        response = client.post(
            "/sparql",
            data={"query": sparql},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text[:500]
        return http_rows(response.json())

    async def direct() -> Facts:
        return case.from_sparql(await case.ask(run_direct))

    async def in_process(listed: Facets | None = None) -> Facts:
        context = await make_context(store, 60.0, facets=listed)
        result = await schema.execute(case.graphql, context_value=context)
        assert result.errors is None, result.errors
        return case.from_graphql(result.data)

    async def from_facets() -> Facts:
        return await in_process(facets)

    async def graphql_http() -> Facts:
        response = client.post("/graphql", json={"query": case.graphql})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return case.from_graphql(body["data"])

    async def sparql_http() -> Facts:
        return case.from_sparql(await case.ask(run_http))

    after: list[str] = []

    async def new_page() -> Facts:
        """The page after the last one this mode asked for: trials the server never read."""
        query = page_after(case.graphql, after[-1]) if after else case.graphql
        response = client.post("/graphql", json={"query": query})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        info = body["data"]["trials"]["pageInfo"]
        if info["hasNextPage"]:
            after.append(info["endCursor"])
        else:
            # The last page: start again from the first (at 10,000 trials the listing has 9
            # pages, fewer than the runs; those pages' trials were then read before).
            after.clear()
        return case.from_graphql(body["data"])

    ways = [direct, in_process, graphql_http, sparql_http, from_facets]
    modes = dict(zip(MODES, ways, strict=False))
    if PAGE in case.graphql:
        modes[MODES[5]] = new_page
    return modes


def check_answers(case: Case, modes: dict[str, Mode]) -> str:
    """'yes' when every way gives the facts of the direct SPARQL; else what differs."""
    expected = asyncio.run(modes[MODES[0]]())
    assert len(expected) > 3, f"{case.name}: the direct SPARQL found almost nothing"
    differing = []
    for name, mode in list(modes.items())[1:]:
        got = asyncio.run(mode())
        if got != expected:
            missing, extra = sorted(map(str, expected - got)), sorted(map(str, got - expected))
            print(f"# {case.name} {name}: missing {missing[:3]} extra {extra[:3]}", file=sys.stderr)
            differing.append(name[:3])
    return "yes" if not differing else "NO: " + " ".join(differing)


def run_size(trials: int, runs: int, warmup: int, start_seconds: float) -> list[str]:
    path = loaded_store(trials)
    store = OxigraphStore.read_only(str(path))  # never written to; the server opens it too
    native = store.native  # (a) reads through the same pyoxigraph store as (b)
    schema = build_schema()
    with built_facets(store) as built:
        print(
            f"# {trials:,} trials: facets built in {built.seconds:.1f} s "
            f"({built.read_seconds:.1f} s of it reading the store), {built.megabytes:.1f} MB",
            file=sys.stderr,
        )
        started = time.perf_counter()
        with (
            uvicorn_server(path, start_seconds) as url,
            httpx.Client(base_url=url, timeout=120) as c,
        ):
            print(
                f"# {trials:,} trials: server up in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            lines = run_cases(trials, native, store, schema, c, built.facets, runs, warmup)
    return lines


def run_cases(
    trials: int,
    native: ox.Store,
    store: OxigraphStore,
    schema: Any,
    client: httpx.Client,
    facets: Facets,
    runs: int,
    warmup: int,
) -> list[str]:
    """Each case's table row at ``trials``, the answers checked first."""
    lines = []
    for case in CASES:
        modes = modes_for(case, native, store, schema, client, facets)
        same = check_answers(case, modes)
        samples = asyncio.run(measure(modes, runs, warmup))
        figures = [percentiles(samples[name]) if name in samples else None for name in MODES]
        assert figures[0] is not None
        base = figures[0][0]
        cells = [f"{base:.1f} / {figures[0][1]:.1f}"]
        cells += [
            "–" if f is None else f"{f[0]:.1f} / {f[1]:.1f} ({f[0] / base:.1f}x)"
            for f in figures[1:]
        ]
        lines.append(f"| {trials:,} | {case.name} | " + " | ".join(cells) + f" | {same} |")
        print(lines[-1], file=sys.stderr)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("trials", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=100, help="measured runs per mode")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--start-seconds",
        type=float,
        default=900,
        help="how long the server may take to start (its SPARQL workers load a copy of the store)",
    )
    args = parser.parse_args()
    lines = []
    for trials in args.trials:
        lines += run_size(trials, args.runs, args.warmup, args.start_seconds)
    print(
        f"GraphQL latency, {args.runs} runs per mode (round-robin); p50 / p95 ms "
        "(ratio of p50 to (a))"
    )
    print()
    print("| trials | query | " + " | ".join(MODES) + " | same answers |")
    print("|---|---|" + "---|" * len(MODES) + "---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
