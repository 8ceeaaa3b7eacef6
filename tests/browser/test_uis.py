"""The browser UIs in headless Chromium with the network closed: GraphiQL, Swagger UI, ReDoc and
the SPARQL editor (YASGUI) each render from the application's own files and run a request, and
none of them tries to reach another host.

Chromium and its flags: tests/browser/cdp.py. The UIs' files: ``make ui`` (which ``make test``
runs first). A screenshot of each page goes to ``test-artifacts/`` (gitignored) for a person to
look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.ui_assets import VENDOR_DIR, VERSIONS_FILE
from kg.sparql.service import example_queries
from tests.browser.cdp import Page, chromium
from tests.servers import PROJECT_ROOT, KgServer, kg_server

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server() -> Iterator[KgServer]:
    assert (VENDOR_DIR / VERSIONS_FILE).exists(), "the browser UIs are not installed: make ui"
    with kg_server({"KG_QUERY_TIMEOUT": "5"}) as running:
        yield running


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with chromium(tmp_path / "profile") as opened:
        yield opened
        assert opened.blocked == [], "the page tried to reach other hosts"
        assert opened.console_errors == []


def _keep(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(ARTIFACTS / f"ui-{name}.png")


def test_graphiql_runs_the_readme_query(server: KgServer, page: Page) -> None:
    page.open(f"{server.base_url}/graphql")
    page.wait_for("!!document.querySelector('.graphiql-execute-button')")
    page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    page.wait_for(
        "(document.querySelector('.graphiql-response') || {innerText: ''})"
        ".innerText.includes('\"acronym\": \"DASCERN\"')"
    )
    _keep(page, "graphiql")


SWAGGER_SPARQL = "#operations-sparql-sparql_get_sparql_get"
SWAGGER_QUERY = 'ASK { ?trial <https://schema.org/identifier> "NCT01593254" }'


def test_swagger_ui_runs_a_sparql_query(server: KgServer, page: Page) -> None:
    page.open(f"{server.base_url}/docs")
    page.wait_for("document.querySelectorAll('.swagger-ui .opblock').length > 10")
    page.wait_for(  # open the operation (the first clicks may come before React listens)
        f"""(() => {{ const op = document.querySelector('{SWAGGER_SPARQL}');
        if (!op.classList.contains('is-open')) op.querySelector('.opblock-summary-control').click();
        return !!op.querySelector('.try-out__btn'); }})()"""
    )
    page.evaluate(f"document.querySelector('{SWAGGER_SPARQL} .try-out__btn').click(); true")
    page.wait_for(f"!!document.querySelector('{SWAGGER_SPARQL} .execute')")
    page.pump(1.0)  # Swagger UI resets the parameters once more after "Try it out"
    typed = f"document.querySelector('{SWAGGER_SPARQL} input[placeholder=\"query\"]')"
    page.evaluate(
        f"""(() => {{ const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype,
        'value').set; set.call({typed}, {json.dumps(SWAGGER_QUERY)});
        {typed}.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()"""
    )
    page.wait_for(f"{typed}.value === {json.dumps(SWAGGER_QUERY)}")
    page.pump(1.0)  # Swagger UI debounces its inputs before the value reaches its state
    page.wait_for(
        f"(() => {{ const run = document.querySelector('{SWAGGER_SPARQL} .execute');"
        " if (run) run.click(); return !!run; })()"
    )
    page.wait_for(
        f"(document.querySelector('{SWAGGER_SPARQL} .live-responses-table') || {{innerText: ''}})"
        ".innerText.includes('\"boolean\": true')"
    )
    _keep(page, "swagger")


def test_redoc_renders_the_api(server: KgServer, page: Page) -> None:
    page.open(f"{server.base_url}/redoc")
    title = page.wait_for(
        "(document.querySelector('.api-content h1') || {innerText: ''}).innerText"
    )
    assert title.startswith("Evidence knowledge graph")
    page.wait_for("document.body.innerText.includes('/sparql')")
    _keep(page, "redoc")


def test_sparql_editor_opens_the_examples_and_runs_one(server: KgServer, page: Page) -> None:
    page.open(f"{server.base_url}/sparql/editor")
    tabs = page.wait_for("window.yasgui && Object.keys(window.yasgui._tabs).length")
    assert tabs == len(example_queries())
    page.evaluate("window.yasgui.getTab().query(); true")
    page.wait_for(
        "(document.querySelector('.yasr .dataTable tbody') || {innerText: ''})"
        ".innerText.includes('Dasatinib 100 mg once daily')"
    )
    _keep(page, "sparql-editor")


def test_landing_page_search_leads_to_the_trial(server: KgServer, page: Page) -> None:
    """The first five minutes: ``/`` says what this is and how many trials; its search box,
    given a registry id, finds the trial, whose page opens on what was reported."""
    page.open(f"{server.base_url}/")
    page.wait_for("document.body.innerText.includes('It holds 1 trial')")
    _keep(page, "landing")
    page.evaluate(
        "document.getElementById('q').value = 'NCT01593254';"
        "document.querySelector('form.search').requestSubmit(); true"
    )
    page.wait_for("location.pathname === '/trials' && document.body.innerText.includes('DASCERN')")
    page.evaluate("document.querySelector('a[href=\"/id/trial/dascern\"]').click(); true")
    page.wait_for(
        "location.pathname === '/id/trial/dascern' && document.getElementById('reported')"
        ".innerText.includes('29% vs 13%, P = .005')"
    )
    _keep(page, "trial")
