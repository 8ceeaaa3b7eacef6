"""``kg validate --engine`` and ``--from-store``: the store engine behind the same command.

The results themselves are compared engine against engine on every fixture in
``tests/kg/shaclsparql``; here the command line: the same JSON and exit codes from either
engine, and a persistent store validated where it is.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rdflib import Graph, URIRef

from kg import cli
from kg.build import load_into
from kg.settings import Settings
from kg.store import open_store

SHAPES_DIR = Path(__file__).parents[1] / "shapes"
FAILING = SHAPES_DIR / "crosschecks" / "arms-sum_FAIL.ttl"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("KG_")]:
        monkeypatch.delenv(name)


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = cli.main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_both_engines_print_the_same_json_for_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(SHAPES_DIR / "_context.ttl"), str(FAILING)]
    reference = _json(capsys, "validate", "--format", "json", "--engine", "pyshacl", *files)
    found = _json(capsys, "validate", "--format", "json", "--engine", "store", *files)
    assert reference[0] == found[0] == 1
    assert found[1] == reference[1]


@pytest.fixture
def stored(tmp_path: Path) -> str:
    """A persistent store as `kg serve` keeps it (curated graphs, ontology) plus one bad trial."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    store = load_into(open_store(spec), Settings())
    bad = Graph().parse(SHAPES_DIR / "_context.ttl")
    bad.parse(FAILING)
    store.replace_graph(URIRef("urn:test:bad"), bad)
    store.close()
    return spec


def test_from_store_validates_the_store_where_it_is(
    stored: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _json(capsys, "validate", "--from-store", "--store", stored, "--format", "json")
    reference = _json(
        capsys, "validate", "--from-store", "--engine", "pyshacl", "--store", stored,
        "--format", "json",
    )
    assert found[0] == reference[0] == 1
    assert found[1] == reference[1]
    results = found[1]["results"]
    assert isinstance(results, list) and results


def test_from_store_report_does_not_depend_on_workers(
    stored: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Queries run side by side; the report is read back in shape order, so one worker and
    four give the same JSON."""
    one = _json(capsys, "validate", "--from-store", "--store", stored, "--format", "json",
                "--workers", "1")
    four = _json(capsys, "validate", "--from-store", "--store", stored, "--format", "json",
                 "--workers", "4")
    assert one == four
    assert one[0] == 1


def test_workers_must_be_a_positive_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--workers", "0"]) == 2
    assert "not at least 1" in capsys.readouterr().err


def test_from_store_junit_lists_every_focus_node(
    stored: str, tmp_path: Path
) -> None:
    output = tmp_path / "report.xml"
    code = cli.main(
        ["validate", "--from-store", "--store", stored, "--format", "junit", "-o", str(output)]
    )
    assert code == 1
    root = ElementTree.parse(output).getroot()
    assert int(root.get("tests", "0")) > 100
    assert root.findall(".//failure")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--store", "memory"], "persistent store"),
        (["--store", "oxigraph"], "persistent store"),
        (["--store", "oxigraph:/nonexistent-parent/x", str(FAILING)], "not both"),
    ],
)
def test_from_store_refuses_what_it_cannot_validate(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "--from-store", *argv]) == 2
    assert fragment in capsys.readouterr().err
