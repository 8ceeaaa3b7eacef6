"""`kg validate`'s exit codes on the shipped data and on SHACL fixtures: 0 when the data conform
(warnings alone conform), 1 on a violation.

Which results each fixture raises is tests/test_shapes.py's subject, for every fixture; here the
command turns a report into its exit code, which one fixture of each kind shows (a kind per
shapes file, since each file's fixtures meet different shapes). Fixtures hold only the nodes
they are about; like the shape tests, each is validated together with the shared conforming
trial in ``tests/shapes/_context.ttl``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main

SHAPES = Path(__file__).parents[1] / "shapes"
CONTEXT = SHAPES / "_context.ttl"
ALL_FAIL = sorted(SHAPES.rglob("*_FAIL.ttl"))
ALL_PASS = sorted(SHAPES.rglob("*_PASS.ttl"))


def _violates(fixture: Path) -> bool:
    """Whether the fixture's expected results hold a violation (a plausibility check's FAIL
    fixture may hold warnings only: those conform)."""
    expected = fixture.with_name(fixture.stem + ".expected.json").read_text(encoding="utf-8")
    return '"Violation"' in expected


def _one_of_each_kind(fixtures: list[Path], violates: bool = False) -> list[Path]:
    """The first fixture of each folder, and with ``violates`` of each outcome in it."""
    chosen: dict[tuple[Path, bool], Path] = {}
    for fixture in fixtures:
        chosen.setdefault((fixture.parent, violates and _violates(fixture)), fixture)
    return sorted(chosen.values())


FAIL = _one_of_each_kind(ALL_FAIL, violates=True)
PASS = _one_of_each_kind(ALL_PASS)


def _id(path: Path) -> str:
    return str(path.relative_to(SHAPES))


def test_shipped_data_validates_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "CONFORMS" in capsys.readouterr().out.upper()


@pytest.mark.parametrize("fixture", FAIL, ids=_id)
def test_violating_fixture_exits_1(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(CONTEXT), str(fixture)])
    assert code == (1 if _violates(fixture) else 0), capsys.readouterr().out


@pytest.mark.parametrize("fixture", PASS, ids=_id)
def test_conforming_fixture_exits_0(fixture: Path) -> None:
    assert main(["validate", str(CONTEXT), str(fixture)]) == 0


def test_fixture_globs_found_fixtures_of_both_kinds() -> None:
    assert len(ALL_FAIL) >= 20 and len(ALL_PASS) >= 1
    assert {_violates(f) for f in FAIL} == {True, False}
