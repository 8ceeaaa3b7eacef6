"""The trial page in headless Chromium: the forest plot renders one row per estimate.

Chromium comes from Debian, installed by ``scripts/provision.py`` (``make test`` runs it); the
test is skipped with the reason when it is missing (failed under ``CI=true``). The screenshot is
saved to ``test-artifacts/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.programs import program
from tests.servers import PROJECT_ROOT, KgServer, kg_server

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def server() -> Iterator[KgServer]:
    with kg_server() as running:
        yield running


def _run_chromium(binary: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_trial_page_forest_plot_in_chromium(server: KgServer, tmp_path: Path) -> None:
    binary = program("chromium")
    url = f"{server.base_url}/id/trial/dascern"
    dom = _run_chromium(binary, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    svg = re.search(r"<svg.*?</svg>", dom.stdout, re.DOTALL)
    assert svg is not None, "no forest plot in the rendered page"
    root = ElementTree.fromstring(svg.group(0))
    rows = [g for g in root.iter(f"{SVG}g") if "estimate" in g.get("class", "").split()]
    assert len(rows) == 3  # the primary comparison's three estimates (no 2x2 table of incidences)
    for row in rows:
        low, value, high = (
            float(row.get(k, "nan")) for k in ("data-ci-lower", "data-value", "data-ci-upper")
        )
        assert low <= value <= high
        interval = row.find(f"{SVG}line[@class='ci']")
        assert interval is not None, "each estimate draws its confidence interval"
        assert float(interval.get("x1", 0)) < float(interval.get("x2", 0))
        assert row.find(f"{SVG}*[@class='marker']") is not None
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "trial-dascern.png"
    shot = _run_chromium(
        binary, tmp_path / "profile", "--window-size=1280,1900", f"--screenshot={screenshot}", url
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000
