"""scripts/provision.py installs what the tests run beside Python packages; tests only look.

The script is run as a real process with a PATH that holds none of the programs (so nothing is
installed: ``--check``), the way a machine without them would see it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.settings import PROJECT_ROOT
from scripts.provision import PROGRAMS
from tests.programs import program

SCRIPT = PROJECT_ROOT / "scripts" / "provision.py"


def _check(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(tmp_path)  # holds nothing: every program is missing
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, env=env
    )


def test_a_missing_program_is_named_with_its_package(tmp_path: Path) -> None:
    checked = _check(tmp_path, ci=None)
    assert checked.returncode == 0, checked.stderr
    for needed in PROGRAMS:
        assert f"{needed.command} is missing (Debian package {needed.package})" in checked.stderr
    assert "apt-get install chromium chromium-driver virtuoso-opensource-7-bin" in checked.stderr
    assert "skipped" in checked.stderr


def test_under_ci_a_missing_program_fails_the_run(tmp_path: Path) -> None:
    checked = _check(tmp_path, ci="true")
    assert checked.returncode == 1
    assert "CI=true" in checked.stderr


def test_nothing_is_said_or_done_when_everything_is_installed(tmp_path: Path) -> None:
    """What ``make test`` pays on a provisioned machine: nothing beyond looking."""
    for needed in PROGRAMS:
        fake = tmp_path / needed.command
        fake.write_text("#!/bin/sh\nexit 0\n")
        fake.chmod(0o755)
    checked = _check(tmp_path, ci="true")
    assert (checked.returncode, checked.stderr) == (0, "")


def test_a_test_skips_or_under_ci_fails_when_its_program_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="scripts/provision.py"):
        program("virtuoso-t")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        program("chromium")


TEST_SOURCES = sorted((PROJECT_ROOT / "tests").rglob("*.py"))
INSTALLERS = re.compile(r"""["'](apt-get|apt|dpkg)["']""")


@pytest.mark.parametrize(
    "source", TEST_SOURCES, ids=[str(p.relative_to(PROJECT_ROOT)) for p in TEST_SOURCES]
)
def test_test_code_installs_nothing(source: Path) -> None:
    """No test runs the system's package installer (as a command word in a subprocess call):
    what tests need beyond pip's test extras is installed by scripts/provision.py, before any
    test runs."""
    if source == Path(__file__):
        return
    found = INSTALLERS.findall(source.read_text(encoding="utf-8"))
    assert not found, f"{source.relative_to(PROJECT_ROOT)} runs {found}"
