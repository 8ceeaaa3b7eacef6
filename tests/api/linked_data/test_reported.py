"""The trial page leads with what was reported (api/pages/reported.py): each arm's figure, the
p-value and any reported estimate, each with its sources; derived figures beside them, marked
with their method. Over every backend for DASCERN, and through the same code for a trial
shaped as a registry import would be."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.pages.reported import reported_section
from kg.settings import PROJECT_ROOT, Settings
from kg.store import Store
from tests.backends import Backend

HERE = Path(__file__).parent
PAGE = "/id/trial/dascern"
HTML = {"Accept": "text/html"}


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces folded (what a reader sees)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(scope="module")
def page(backend_settings: Settings, store: Store) -> str:
    with TestClient(create_app(backend_settings, store=store)) as client:
        response = client.get(PAGE, headers=HTML)
    assert response.status_code == 200
    return response.text


def test_dascern_page_leads_with_the_reported_result(page: str) -> None:
    """"29% vs 13%, P = .005" above the arms, the forest plot and the statement dump."""
    lead = page.index('id="reported"')
    assert lead < page.index('id="arms"') < page.index('id="description"')
    reported = _text(page[lead : page.index('id="arms"')])
    assert "29% vs 13%, P = .005" in reported
    assert "Major molecular response at 12 months" in reported


def test_reported_figures_name_their_sources_with_doi_links(page: str) -> None:
    section = page[page.index('id="reported"') : page.index('id="arms"')]
    assert 'href="https://doi.org/10.1038/s41375-020-0805-1"' in section
    assert "29% of the dasatinib arm were in MMR at 12 months." in section  # the statement
    assert ">S1</a>" in section and "doi:10.1038/s41375-020-0805-1" in section


def test_derived_figures_are_marked_with_their_method(page: str) -> None:
    reported = _text(page[page.index('id="reported"') : page.index('id="arms"')])
    assert "≈50/174 (derived: Approximate event count from a reported percentage)" in reported
    assert "Risk difference 0.1594 (95% CI 0.0528 to 0.2494) (derived: Risk difference with" in reported
    assert "significant at the 0.05 level (derived:" in reported


@pytest.fixture(scope="module")
def page_with_reported_estimate(settings: Settings, backend: Backend) -> Iterator[str]:
    data = (PROJECT_ROOT / "data" / "dascern.yaml", HERE / "reported_estimate.ttl")
    with backend.built(settings.with_overrides(data_files=data), "reported") as (configured, store):
        with TestClient(create_app(configured, store=store)) as client:
            yield client.get(PAGE, headers=HTML).text


def test_a_reported_estimate_shows_as_reported_with_its_source(
    page_with_reported_estimate: str,
) -> None:
    page = page_with_reported_estimate
    reported = page[page.index('id="reported"') : page.index('id="arms"')]
    assert "Reported: Hazard ratio 0.8 (95% CI 0.5 to 1.3)" in _text(reported)
    assert 'href="https://doi.org/10.3324/haematol.2023.283428"' in reported
    assert "<script>" not in reported


def _source(key: str, doi: str, statement: str) -> dict[str, Any]:
    url = f"https://doi.org/{doi}"
    return {
        "statement": statement,
        "document": {"id": f"urn:doc:{key}", "key": key, "label": f"Registry record {key}", "url": url},
        "publication": {"key": key, "doi": doi, "url": url},
    }


REGISTRY_TRIAL: dict[str, Any] = {
    "id": "urn:trial:registry",
    "endpoints": [
        {
            "id": "urn:endpoint:pfs",
            "name": "Progression-free survival",
            "kind": "PRIMARY",
            "timeFrame": "up to 5 years",
            "results": [
                {
                    "id": "urn:result:a",
                    "arm": {"id": "urn:arm:a", "label": "Drug A"},
                    "measure": "median",
                    "value": 14.2,
                    "unit": "months",
                    "count": None,
                    "countDerived": False,
                    "derived": False,
                    "analysisPopulation": {"label": "Intention to treat"},
                    "report": {"id": "urn:report", "label": "Registry results"},
                    "sources": [_source("R1", "10.1000/r1", "Median PFS 14.2 months with A.")],
                },
                {
                    "id": "urn:result:b",
                    "arm": {"id": "urn:arm:b", "label": "Drug B"},
                    "measure": "median",
                    "value": 9.1,
                    "unit": "months",
                    "count": None,
                    "countDerived": False,
                    "derived": False,
                    "analysisPopulation": {"label": "Intention to treat"},
                    "report": {"id": "urn:report", "label": "Registry results"},
                    "sources": [_source("R1", "10.1000/r1", "Median PFS 9.1 months with B.")],
                },
            ],
            "comparisons": [
                {
                    "id": "urn:comparison",
                    "intervention": {"id": "urn:arm:a", "label": "Drug A"},
                    "comparator": {"id": "urn:arm:b", "label": "Drug B"},
                    "analysisPopulation": {"label": "Intention to treat"},
                    "analysisMethod": "Stratified log-rank test",
                    "pValue": 0.001,
                    "pValueComparator": "<",
                    "significant": True,
                    "significanceDerived": False,
                    "report": {"id": "urn:report", "label": "Registry results"},
                    "interventionResult": {"id": "urn:result:a"},
                    "comparatorResult": {"id": "urn:result:b"},
                    "sources": [_source("R1", "10.1000/r1", "P < .001 by log-rank.")],
                    "estimates": [
                        {
                            "statistic": "HAZARD_RATIO",
                            "value": 0.62,
                            "ciLower": 0.48,
                            "ciUpper": 0.8,
                            "ciLevel": 0.95,
                            "derived": False,
                            "sources": [_source("R1", "10.1000/r1", "HR 0.62 (0.48-0.80).")],
                        }
                    ],
                }
            ],
        }
    ],
}
"""A trial as a registry import would give it: medians, a reported hazard ratio with its CI,
a p-value given only as a bound, the source's own verdict."""


def test_a_registry_trial_renders_through_the_same_code() -> None:
    section = reported_section(REGISTRY_TRIAL, lambda iri: None)
    text = _text(section)
    assert "median 14.2 months vs median 9.1 months, P < .001" in text
    assert "significant (as reported)" in text
    assert "Reported: Hazard ratio 0.62 (95% CI 0.48 to 0.8)" in text
    assert "Intention to treat, Stratified log-rank test" in text
    assert "derived" not in text.replace("are marked derived", "")
    assert section.count('href="https://doi.org/10.1000/r1"') >= 4


def test_a_trial_without_results_has_no_reported_section() -> None:
    assert reported_section({"endpoints": [{"id": "e", "results": [], "comparisons": []}]}, str) == ""
