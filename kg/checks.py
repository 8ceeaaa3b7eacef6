"""Ontology and data quality checks: SPARQL files in ``ontology/checks/`` that must return no rows.

Why SPARQL files: each check is one readable query that anyone can also run in the SPARQL endpoint
or a triple store, as OBO ontologies built with ODK do; this module only finds, parameterizes and
runs them. A check that returns rows has found a problem, and each row says where.

Parameters: a check may name the configured base IRI as ``<urn:x-evidence-kg:base>`` and the
ontology's named graph as ``<urn:x-evidence-kg:ontology-graph>``; both are replaced (from
``KG_BASE_IRI``) before the query runs, so no check hard-codes a deployment.

What a check sees: the default graph is the union of every named graph, and each named graph is
also there by name, so a check can ask what the ontology graph itself declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

from kg.build import GraphNames
from kg.export import union_graph
from kg.settings import RESOURCE_ROOT
from kg.vocab import DEFAULT_BASE_IRI

CHECKS_DIR = RESOURCE_ROOT / "ontology" / "checks"
BASE_PLACEHOLDER = "<urn:x-evidence-kg:base>"
ONTOLOGY_GRAPH_PLACEHOLDER = "<urn:x-evidence-kg:ontology-graph>"
_FORBIDDEN_IN_IRI = set('<>"{}|^`\\ \t\n\r')


class CheckError(Exception):
    """A check could not run (unreadable file, bad SPARQL, unusable base IRI)."""


@dataclass(frozen=True)
class Check:
    """One quality check: its name (the file stem), what it asserts, and its query text."""

    name: str
    description: str
    query: str
    path: Path


@dataclass(frozen=True)
class CheckResult:
    """The rows a check returned; no rows means the check passed."""

    check: Check
    variables: tuple[str, ...]
    rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.rows

    @property
    def name(self) -> str:
        return self.check.name


def load_checks(checks_dir: Path = CHECKS_DIR) -> list[Check]:
    """Every ``*.rq`` in ``checks_dir``, by name; the description is the file's leading comment."""
    checks = []
    for path in sorted(checks_dir.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CheckError(f"{path}: cannot read: {error.strerror or error}") from error
        checks.append(Check(path.stem, _description(text), text, path))
    if not checks:
        raise CheckError(f"{checks_dir}: no *.rq checks found")
    return checks


def parameterize(query: str, *, base_iri: str) -> str:
    """The query with the base IRI and the ontology graph's name in place of their placeholders.

    >>> parameterize("FILTER(STRSTARTS(STR(?o), STR(<urn:x-evidence-kg:base>)))",
    ...              base_iri="https://example.org/kg/")
    'FILTER(STRSTARTS(STR(?o), STR(<https://example.org/kg/>)))'
    >>> parameterize("GRAPH <urn:x-evidence-kg:ontology-graph> {}", base_iri="https://e.org/")
    'GRAPH <https://e.org/graph/ontology> {}'
    """
    if not base_iri or _FORBIDDEN_IN_IRI & set(base_iri):
        raise CheckError(f"base IRI {base_iri!r} cannot be written as a SPARQL IRI")
    ontology_graph = GraphNames(base_iri).ontology
    return query.replace(BASE_PLACEHOLDER, f"<{base_iri}>").replace(
        ONTOLOGY_GRAPH_PLACEHOLDER, f"<{ontology_graph}>"
    )


def run_check(check: Check, graph: Graph, *, base_iri: str = DEFAULT_BASE_IRI) -> CheckResult:
    """Run one check over ``graph`` (a Dataset for checks that name a graph).

    Each row maps variable names to N-Triples-style terms.
    """
    try:
        result: Result = graph.query(parameterize(check.query, base_iri=base_iri))
    except CheckError:
        raise
    except Exception as error:  # rdflib raises pyparsing and evaluation errors of many types
        raise CheckError(f"{check.path}: {' '.join(str(error).split())}") from error
    variables = tuple(str(v) for v in result.vars or ())
    rows = []
    for row in result:
        values = row.asdict()  # type: ignore[union-attr]
        rows.append({name: values[name].n3() for name in variables if name in values})
    return CheckResult(check, variables, rows)


def run_checks(
    dataset: Dataset,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    checks_dir: Path = CHECKS_DIR,
) -> list[CheckResult]:
    """Run every check over ``dataset`` (union as the default graph, named graphs by name)."""
    target = query_dataset(dataset)
    return [run_check(check, target, base_iri=base_iri) for check in load_checks(checks_dir)]


def query_dataset(dataset: Dataset) -> Dataset:
    """A copy whose default graph is the union of ``dataset``'s graphs, named graphs kept.

    Why a copy rather than ``default_union=True``: rdflib evaluates patterns over a union
    default graph several times slower, and the caller's dataset is not ours to change.
    """
    target = Dataset()
    for prefix, namespace in dataset.namespaces():
        target.bind(prefix, namespace)
    target.default_graph += union_graph(dataset)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g is not None and g != DATASET_DEFAULT_GRAPH_ID:
            target.graph(g).add((s, p, o))
    return target


def render_results(results: list[CheckResult]) -> str:
    """Plain text: one line per check, then each offending row indented under a failing check."""
    lines = []
    for result in results:
        status = "ok  " if result.passed else "FAIL"
        count = "" if result.passed else f" ({len(result.rows)} rows)"
        lines.append(f"{status} {result.name}{count}: {result.check.description}")
        for row in result.rows:
            cells = ", ".join(f"{name}={row[name]}" for name in result.variables if name in row)
            lines.append(f"       {cells}")
    failed = sum(1 for result in results if not result.passed)
    lines.append(f"{len(results) - failed} of {len(results)} checks passed")
    return "\n".join(lines) + "\n"


def _description(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
        if stripped:
            break
    return ""
