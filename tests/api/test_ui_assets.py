"""The browser UIs' files (api/ui_assets.py): pinned in one place, installed with their licences,
served from this application with a year-long cache lifetime; pages name no other host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.ui_assets import VENDOR_DIR, VENDORED, VERSIONS_FILE, NotInstalled, UiAssets, mount
from kg.settings import PROJECT_ROOT, Settings

UI = PROJECT_ROOT / "ui"
PAGES = {
    "/graphql": "text/html",
    "/docs": "text/html",
    "/redoc": "text/html",
    "/sparql/editor": "text/html",
}


def _pins() -> dict[str, str]:
    dependencies: dict[str, str] = json.loads((UI / "package.json").read_text())["dependencies"]
    return dependencies


def test_package_json_pins_exactly_the_vendored_packages() -> None:
    """One list of packages (api/ui_assets.py), pinned in ui/package.json to exact versions,
    which the committed lockfile resolves to."""
    pins = _pins()
    assert set(pins) == {item.package for item in VENDORED}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pins.values()), pins
    locked = json.loads((UI / "package-lock.json").read_text())["packages"]
    for package, version in pins.items():
        assert locked[f"node_modules/{package}"]["version"] == version


def test_installed_files_match_the_pins_and_carry_licences() -> None:
    assert (VENDOR_DIR / VERSIONS_FILE).exists(), "the browser UIs are not installed: make ui"
    installed = json.loads((VENDOR_DIR / VERSIONS_FILE).read_text())
    assert installed == _pins()
    for item in VENDORED:
        folder = VENDOR_DIR / f"{item.package}@{installed[item.package]}"
        assert (folder / "LICENSE").stat().st_size > 500, item.package
        for file in item.files:
            assert (folder / file).stat().st_size > 0, file


def test_no_committed_file_is_large() -> None:
    """What the npm registry provides stays out of git: ui/ holds the pins and licences only."""
    committed = [p for p in UI.rglob("*") if p.is_file() and "node_modules" not in p.parts]
    assert all(p.stat().st_size < 512 * 1024 for p in committed), committed


@pytest.fixture(scope="module")
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


@pytest.mark.parametrize("path", list(PAGES))
def test_ui_pages_load_only_this_applications_files(client: TestClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(s.startswith("/static/vendor/") for s in sources)
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    for source in sources:
        if source.startswith("/static/vendor/"):
            asset = client.get(source, headers={"Accept-Encoding": "gzip"})
            assert asset.status_code == 200, source
            assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_pages_say_to_run_make_ui_when_the_files_are_missing(tmp_path: Path) -> None:
    empty = UiAssets.load(tmp_path)
    with pytest.raises(NotInstalled, match="make ui"):
        empty.url("graphiql", "graphiql.min.js")
    app = FastAPI()
    assert mount(app, tmp_path) == empty
    bare = create_app(Settings.from_env({}))
    bare.state.ui_assets = empty
    client = TestClient(bare)
    for path in PAGES:
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 503 and "make ui" in response.text, path
