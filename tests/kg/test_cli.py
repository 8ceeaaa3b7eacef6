"""The ``kg`` command line: exit codes, one-line errors, and output identical to the library's.

Exit codes are checked through real processes (the console script and ``python -m kg.cli``);
everything else runs ``kg.cli.main`` in-process, which is the same code and much faster.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; tests only
from rdflib import Dataset

from kg import cli
from kg.export import EXPORT_FORMATS, ExportFormat, export
from kg.settings import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "inputs"
CURATED = PROJECT_ROOT / "data" / "dascern.yaml"
KG_SCRIPT = Path(sys.executable).parent / "kg"

VIOLATING = """\
@prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
<trial/x/arm-a> a ekg:Arm ; ekg:participants "many" .
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's KG_* variables must not change what these tests see."""
    for name in list(os.environ):
        if name.startswith("KG_"):
            monkeypatch.delenv(name)


def kg_process(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``kg`` as a user would: the console script when installed, else ``python -m kg.cli``."""
    command = [str(KG_SCRIPT)] if KG_SCRIPT.exists() else [sys.executable, "-m", "kg.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("kg: ")
    for fragment in fragments:
        assert fragment in lines[0]


# --- exit codes, through real processes ---------------------------------------------------------


def test_validate_exits_0_when_the_files_conform() -> None:
    result = kg_process("validate", str(CURATED))
    assert result.returncode == 0, result.stderr
    assert "conforms" in result.stdout


def test_validate_exits_1_on_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "arm.ttl"
    path.write_text(VIOLATING)
    result = kg_process("validate", str(path))
    assert result.returncode == 1
    assert "DOES NOT CONFORM" in result.stdout


@pytest.mark.parametrize("name", ["bad-syntax.ttl", "xxe-file.rdf", "remote-context.jsonld"])
def test_validate_exits_2_with_file_and_line_when_input_cannot_be_parsed(name: str) -> None:
    path = FIXTURES / name
    command = [sys.executable, "-m", "kg.cli", "validate", str(path)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert completed.returncode == 2
    assert_one_line_error(completed.stderr, str(path))
    if name == "bad-syntax.ttl":
        assert f"{path}:4: " in completed.stderr


def test_usage_error_exits_2() -> None:
    result = kg_process("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_export_through_the_console_script_is_byte_identical_to_the_library(
    dataset: Dataset,
) -> None:
    result = subprocess.run(
        [*([str(KG_SCRIPT)] if KG_SCRIPT.exists() else [sys.executable, "-m", "kg.cli"])]
        + ["export", "--format", "nquads"],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("KG_")},
    )
    assert result.returncode == 0
    assert result.stdout == export(dataset, "nquads")


def test_importing_the_cli_does_not_import_the_web_app() -> None:
    """``kg`` must not import ``api`` (its serve and export-schema commands are registered by
    api through entry points), and building its parser, which loads those registrations, must
    not import the web stack: every command pays for the parser."""
    code = (
        "import sys, kg.cli; before = sorted(m for m in sys.modules if m.split('.')[0] == 'api');"
        " kg.cli.build_parser();"
        " web = sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('fastapi', 'starlette', 'strawberry', 'uvicorn'));"
        " print(before, web)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.stdout.strip() == "[] []", result.stderr


# --- commands, in-process -----------------------------------------------------------------------


def test_help_documents_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"^\s+{code}\s+\w", out, re.MULTILINE), code


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_writes_exactly_what_the_http_dumps_serve(
    fmt: ExportFormat, dataset: Dataset, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert cli.main(["export", "--format", fmt]) == 0
    assert capsysbinary.readouterr().out == export(dataset, fmt)


def test_export_to_a_file(tmp_path: Path, dataset: Dataset) -> None:
    output = tmp_path / "kg.ttl"
    assert cli.main(["export", "-o", str(output)]) == 0
    assert output.read_bytes() == export(dataset, "turtle")


def test_unwritable_output_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export", "-o", str(tmp_path / "missing" / "kg.ttl")]) == 2
    assert_one_line_error(capsys.readouterr().err, "cannot write")


def test_base_iri_option_changes_the_minted_iris(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli.main(["--base-iri", "https://example.org/kg/", "export", "--format", "ntriples"]) == 0
    )
    out = capsys.readouterr().out
    assert "<https://example.org/kg/trial/dascern>" in out
    assert "https://w3id.org/evidence-kg/id/" not in out


def test_global_options_work_before_and_after_the_command(tmp_path: Path) -> None:
    parser = cli.build_parser()
    before = cli.settings_from(parser.parse_args(["--store", "memory", "--data", "a.ttl", "check"]))
    after = cli.settings_from(
        parser.parse_args(["check", "--store", "memory", "--data", "a.ttl", "b.ttl"])
    )
    assert before.store == after.store == "memory"
    assert before.data_files == (Path("a.ttl"),)
    assert after.data_files == (Path("a.ttl"), Path("b.ttl"))


def test_environment_is_read_and_options_override_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_BASE_IRI", "https://env.example/")
    monkeypatch.setenv("KG_STORE", "memory")
    parser = cli.build_parser()
    from_env = cli.settings_from(parser.parse_args(["check"]))
    assert (from_env.base_iri, from_env.store) == ("https://env.example/", "memory")
    overridden = cli.settings_from(
        parser.parse_args(["--base-iri", "https://cli.example/", "check"])
    )
    assert overridden.base_iri == "https://cli.example/"


def test_relative_base_iri_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--base-iri", "id/", "export"]) == 2
    assert_one_line_error(capsys.readouterr().err, "not an absolute IRI")


def test_validate_built_graph(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is True


def test_validate_junit_report_is_written_for_ci(tmp_path: Path) -> None:
    bad = tmp_path / "arm.ttl"
    bad.write_text(VIOLATING)
    output = tmp_path / "report.xml"
    assert cli.main(["validate", "--format", "junit", "-o", str(output), str(bad)]) == 1
    root = ElementTree.parse(output).getroot()
    assert root.tag == "testsuites"
    assert root.findall(".//failure")


def test_validate_junit_report_names_the_unparsable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI publishes report.xml even after a parse error, so it must say which file and line."""
    output = tmp_path / "report.xml"
    bad = FIXTURES / "bad-syntax.nt"
    assert cli.main(["validate", "--format", "junit", "-o", str(output), str(bad)]) == 2
    error = ElementTree.parse(output).getroot().find(".//error")
    assert error is not None and f"{bad}:4:" in error.get("message", "")
    assert_one_line_error(capsys.readouterr().err, f"{bad}:4:")


def test_stats_json(capsys: pytest.CaptureFixture[str], graph: object, dataset: Dataset) -> None:
    assert cli.main(["stats", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["triples"] == len(graph)  # type: ignore[arg-type]
    assert stats["quads"] == len(list(dataset.quads((None, None, None, None))))
    # ontology, DASCERN, the three reference-data graphs (drugs, conditions, journals), derived
    assert len(stats["namedGraphs"]) == 6
    assert stats["instancesByClass"]["ekg:Arm"] == 2
    assert stats["instancesByClass"]["ekg:Trial"] == 1
    assert stats["instancesByClass"]["schema:Person"] >= 1
    assert not any(name.startswith(("owl:", "prov:")) for name in stats["instancesByClass"])
    assert stats["validation"] == {"conforms": True, "violations": 0, "warnings": 0, "infos": 0}


def test_stats_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["stats"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^triples\s+\d+$", out, re.MULTILINE)
    assert "validation: conforms (0 violations, 0 warnings)" in out


def test_check_passes_on_the_shipped_graph(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check"]) == 0
    assert "checks passed" in capsys.readouterr().out


def test_check_fails_and_lists_the_offending_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dangling.ttl"
    data.write_text(
        "@prefix ekg: <https://w3id.org/evidence-kg/ontology/> .\n"
        "<trial/x> a ekg:Trial ; ekg:arm <trial/x/arm-nowhere> ; ekg:enrolment 3 .\n"
    )
    assert cli.main(["check", "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "FAIL dangling-reference" in out
    assert "<https://w3id.org/evidence-kg/id/trial/x/arm-nowhere>" in out
    assert "FAIL undeclared-term" in out


def test_unexpected_error_is_one_line_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(settings: Settings) -> Dataset:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(cli, "build_dataset", explode)
    assert cli.main(["export"]) == 3
    assert_one_line_error(capsys.readouterr().err, "internal error", "disk on fire")


# --- what other projects' CI runs ---------------------------------------------------------------


def test_pre_commit_hook_is_declared_and_its_entry_runs(tmp_path: Path) -> None:
    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(hook for hook in hooks if hook["id"] == "kg-validate")
    assert hook["language"] == "python"
    assert hook["entry"] == "kg validate"
    pattern = re.compile(hook["files"])
    for name in ("a.ttl", "a.nt", "a.nq", "a.trig", "a.jsonld", "a.rdf"):
        assert pattern.search(name), name
    assert not pattern.search("a.py")
    # pre-commit runs the entry with the staged file names appended.
    entry = hook["entry"].split()
    assert entry[0] == "kg"
    good = kg_process(*entry[1:], str(CURATED))
    assert good.returncode == 0, good.stderr
    bad = tmp_path / "arm.ttl"
    bad.write_text(VIOLATING)
    assert kg_process(*entry[1:], str(bad)).returncode == 1


def test_github_actions_example_installs_validates_and_publishes_junit(tmp_path: Path) -> None:
    workflow = yaml.safe_load(
        (PROJECT_ROOT / "examples" / "github-actions" / "validate-rdf.yml").read_text()
    )
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = [step.get("run", "") for step in steps]
    assert any("pip install" in run and "evidence-kg" in run for run in runs)
    validate = next(run for run in runs if run.startswith("kg validate"))
    assert "--format junit -o report.xml" in validate
    publish = [step for step in steps if "report.xml" in json.dumps(step.get("with", {}))]
    assert publish and all(step.get("if") == "always()" for step in publish)
    # The command itself works: run it on our curated file and read the report back.
    argv = validate.split()[1:-1] + [str(CURATED)]
    result = kg_process(*argv, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = ElementTree.parse(tmp_path / "report.xml").getroot()
    assert root.tag == "testsuites" and not root.findall(".//failure")


def test_export_from_the_store_writes_the_store_dump(tmp_path: Path) -> None:
    """``kg export --from-store`` writes what /dump/store.nq serves: bulk loads included."""
    from rdflib import URIRef

    from kg.build import build_store
    from kg.dump import store_nquads
    from kg.load import load_files
    from kg.synth import write_corpus

    spec = f"oxigraph:{tmp_path / 'store'}"
    base = Settings().base_iri
    store = build_store(Settings().with_overrides(store=spec))
    corpus = tmp_path / "corpus.nt"
    write_corpus(corpus, 3, seed=1, base_iri=base)
    load_files(store, [corpus], graph=URIRef(f"{base}graph/synthetic"), base_iri=base,
               max_bytes=1 << 30)
    expected = b"".join(store_nquads(store, base))
    store.close()
    output = tmp_path / "store.nq"
    assert cli.main(["export", "--from-store", "--store", spec, "-o", str(output)]) == 0
    assert output.read_bytes() == expected and b"synth-000003" in expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.nt", "store", "store.nq"]


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--store", "memory"], "persistent store"),
        (["--format", "turtle"], "N-Quads only"),
        (["--store", "sparql:http://127.0.0.1:9/sparql"], "remote"),
    ],
)
def test_export_from_the_store_refuses_what_it_cannot_do(
    arguments: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export", "--from-store", *arguments]) == 2
    assert_one_line_error(capsys.readouterr().err, fragment)
