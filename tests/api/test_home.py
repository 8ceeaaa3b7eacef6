"""The landing page and the trial list (api/routes/home.py): what the service is, how many
trials, links that all resolve, a search over names and registry ids that works, and a service
root in JSON for clients. The pages read through GraphQL, whose answers are tested on every
backend elsewhere, so these run on one embedded and one remote store
(``tests.backends.LAYER_BACKENDS``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from api.app import create_app
from api.pages.landing import SERVICE_LINKS
from kg.settings import Settings
from kg.store import Store
from tests.backends import LAYER_BACKENDS

pytestmark = pytest.mark.backends(*LAYER_BACKENDS)

TRIAL = "/id/trial/dascern"


@pytest.fixture(scope="module")
def client(backend_settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(backend_settings, store=store)) as running:
        yield running


def test_landing_page_says_what_and_how_many(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Evidence knowledge graph" in page.text
    assert re.search(r'<a href="/trials">1 trial</a>', page.text)
    assert '<form class="search" method="get" action="/trials"' in page.text
    for item in SERVICE_LINKS:
        assert f'href="{item.path}"' in page.text, item.path
    assert 'rel="service-desc"' in page.headers["link"]


def test_every_landing_link_resolves(client: TestClient) -> None:
    """Each link leads to a route that takes GET; the pages among them answer 200 (the dumps
    and VoID are fetched by their own tests: building them costs seconds a backend)."""
    app = client.app
    assert isinstance(app, FastAPI)
    for item in SERVICE_LINKS:
        scope = {"type": "http", "method": "GET", "path": item.path, "root_path": ""}
        assert any(r.matches(scope)[0] == Match.FULL for r in app.router.routes), item.path
        if item.section in ("Browse", "Query"):
            response = client.get(item.path, headers={"Accept": "text/html,*/*;q=0.8"})
            assert response.status_code == 200, item.path


def test_json_service_root_for_clients(client: TestClient) -> None:
    root = client.get("/", headers={"Accept": "application/json"})
    assert root.headers["content-type"] == "application/json"
    document = root.json()
    assert document["trials"] == 1
    assert document["links"]["sparql"] == "http://testserver/sparql"
    assert set(document["links"]) == {item.key for item in SERVICE_LINKS}


def test_unacceptable_accept_406(client: TestClient) -> None:
    assert client.get("/", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    "text",
    ["DASCERN", "dascern", "dasatinib", "NCT01593254", "nct01593254", "2011-006181-41", ""],
)
def test_search_finds_the_trial_by_name_or_registry_id(client: TestClient, text: str) -> None:
    """Registry ids are not among the names the text filter reads: an exact id finds the trial
    through ``trial(id:)``."""
    page = client.get("/trials", params={"q": text})
    assert page.status_code == 200
    assert f'href="{TRIAL}"' in page.text and "1 trial" in page.text


@pytest.mark.parametrize("text", ["no such trial", "NCT00000000", "<script>"])
def test_search_without_a_match_says_so(client: TestClient, text: str) -> None:
    page = client.get("/trials", params={"q": text})
    assert page.status_code == 200
    assert "0 trials matching" in page.text and TRIAL not in page.text
    assert "<script>" not in page.text.split("<main>")[1]


def test_bad_cursor_is_400_on_the_page(client: TestClient) -> None:
    page = client.get("/trials", params={"after": "not-a-cursor"})
    assert page.status_code == 400 and 'role="alert"' in page.text
