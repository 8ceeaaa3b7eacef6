"""`kg validate` on the shipped data and on every SHACL fixture: exit 0 when it conforms, 1 not.

Fixtures hold only the nodes they are about; like the shape tests, each is validated together with
the shared conforming trial in ``tests/shapes/_context.ttl``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main

SHAPES = Path(__file__).parents[1] / "shapes"
CONTEXT = SHAPES / "_context.ttl"
FAIL = sorted(SHAPES.rglob("*_FAIL.ttl"))
PASS = sorted(SHAPES.rglob("*_PASS.ttl"))


def _id(path: Path) -> str:
    return str(path.relative_to(SHAPES))


def test_shipped_data_validates_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "CONFORMS" in capsys.readouterr().out.upper()


@pytest.mark.parametrize("fixture", FAIL, ids=_id)
def test_violating_fixture_exits_1(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A FAIL fixture may hold only warnings if its shape is a plausibility check: those conform.
    expected_violation = (
        '"Violation"' in fixture.with_name(fixture.stem + ".expected.json").read_text()
    )
    code = main(["validate", str(CONTEXT), str(fixture)])
    assert code == (1 if expected_violation else 0), capsys.readouterr().out


@pytest.mark.parametrize("fixture", PASS, ids=_id)
def test_conforming_fixture_exits_0(fixture: Path) -> None:
    assert main(["validate", str(CONTEXT), str(fixture)]) == 0


def test_fixture_globs_found_fixtures() -> None:
    assert len(FAIL) >= 20 and len(PASS) >= 1
