"""The landing page (``/``) and the trial list (``/trials``): what the service is, what it holds,
and where to go from there.

Why one table of links (:data:`SERVICE_LINKS`): the page, its JSON form for clients (a service
root) and the navigation bar name the same places, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from api.pages.layout import esc, link, page
from kg.export import EXPORT_FORMATS, FILE_EXTENSIONS

DESCRIPTION = (
    "Clinical-trial evidence as a knowledge graph: trial designs, per-arm results, comparisons "
    "and effect estimates, every figure traceable to the source that reported it, every "
    "figure computed here marked as derived, with its method. Served as linked data (each IRI "
    "dereferences), over SPARQL and GraphQL, and as dumps."
)
FORMAT_NAMES = {
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "xml": "RDF/XML",
}


@dataclass(frozen=True)
class ServiceLink:
    """One place the landing page points to."""

    key: str
    """Its name in the JSON service root."""
    path: str
    title: str
    about: str
    section: str


SERVICE_LINKS: tuple[ServiceLink, ...] = (
    ServiceLink("trials", "/trials", "Trials", "every trial, searchable by name", "Browse"),
    ServiceLink("ontology", "/ontology", "Ontology", "the classes and properties", "Browse"),
    ServiceLink("graphiql", "/graphql", "GraphiQL", "write and run GraphQL queries", "Query"),
    ServiceLink(
        "sparql_editor", "/sparql/editor", "SPARQL editor", "YASGUI with example queries", "Query"
    ),
    ServiceLink("graphql", "/graphql", "GraphQL endpoint", "GraphQL over HTTP", "Query"),
    ServiceLink("sparql", "/sparql", "SPARQL endpoint", "SPARQL 1.1 Protocol, read-only", "Query"),
    *(
        ServiceLink(
            f"dump_{FILE_EXTENSIONS[fmt]}",
            f"/dump.{FILE_EXTENSIONS[fmt]}",
            f"Dump ({FORMAT_NAMES[fmt]})",
            "the curated release, as kg export writes it",
            "Download",
        )
        for fmt in EXPORT_FORMATS
    ),
    ServiceLink("void", "/.well-known/void", "VoID", "what the dataset holds, counted", "Download"),
    ServiceLink(
        "context", "/context.jsonld", "JSON-LD context", "the dumps' short keys", "Download"
    ),
    ServiceLink("docs", "/docs", "Swagger UI", "the HTTP API, to try out", "API documentation"),
    ServiceLink("redoc", "/redoc", "ReDoc", "the HTTP API, to read", "API documentation"),
    ServiceLink(
        "openapi", "/openapi.json", "OpenAPI", "the HTTP API's description", "API documentation"
    ),
    ServiceLink("health", "/health", "Health", "whether the store answers", "API documentation"),
)
SECTIONS = ("Browse", "Query", "Download", "API documentation")


def service_root(base_url: str, trials: int) -> dict[str, Any]:
    """The landing page as JSON: what the service is, how many trials, absolute links."""
    return {
        "name": "Evidence knowledge graph",
        "description": DESCRIPTION,
        "trials": trials,
        "links": {item.key: base_url + item.path for item in SERVICE_LINKS},
    }


def search_form(text: str = "") -> str:
    return (
        '<form class="search" method="get" action="/trials" role="search">'
        '<label for="q">Search trials by name or registry id</label> '
        f'<input id="q" name="q" type="search" value="{esc(text)}" '
        'placeholder="DASCERN, NCT01593254, dasatinib…"> '
        '<button type="submit">Search</button></form>'
    )


def landing_page(trials: int) -> str:
    sections = []
    for section in SECTIONS:
        items = "".join(
            f"<li>{link(item.path, item.title)}: {esc(item.about)}</li>"
            for item in SERVICE_LINKS
            if item.section == section
        )
        sections.append(f"<section><h2>{esc(section)}</h2><ul>{items}</ul></section>")
    count = f"{trials:,} trial{'s' if trials != 1 else ''}"
    body = (
        "<h1>Evidence knowledge graph</h1>"
        f"<p>{esc(DESCRIPTION)}</p>"
        f'<p class="holdings">It holds {link("/trials", count)}.</p>'
        f"{search_form()}{''.join(sections)}"
    )
    return page("Evidence knowledge graph", body)


def _trial_row(trial: Mapping[str, Any], local_href: str | None) -> str:
    name = trial.get("acronym") or trial.get("title") or trial["id"]
    conditions = ", ".join(c["name"] for c in trial.get("conditions") or [] if c.get("name"))
    title = link(local_href, name) if local_href else esc(name)
    return (
        f"<tr><td>{title}</td><td>{esc(trial.get('title') or '')}</td>"
        f"<td>{esc(', '.join(trial.get('registryIds') or []))}</td>"
        f"<td>{esc(trial.get('phase') or '')}</td><td>{esc(conditions)}</td></tr>"
    )


def trial_list_page(
    *,
    text: str,
    total: int,
    trials: Sequence[tuple[Mapping[str, Any], str | None]],
    exact: tuple[Mapping[str, Any], str | None] | None,
    next_after: str | None,
    error: str | None = None,
) -> str:
    """The trial list: ``trials`` (each with its local link), the exact match of a search for
    a registry id first, and a link to the next page."""
    rows = list(trials)
    if exact is not None and all(t["id"] != exact[0]["id"] for t, _ in rows):
        rows.insert(0, exact)
    found = total + (1 if exact is not None and len(rows) > len(trials) else 0)
    head = (
        "<thead><tr><th>Trial</th><th>Title</th><th>Registry ids</th><th>Phase</th>"
        "<th>Conditions</th></tr></thead>"
    )
    table = f"<table>{head}<tbody>{''.join(_trial_row(t, h) for t, h in rows)}</tbody></table>"
    what = f" matching “{esc(text)}”" if text else ""
    parts = ["<h1>Trials</h1>", search_form(text)]
    if error:
        parts.append(f'<p class="error" role="alert">{esc(error)}</p>')
    parts.append(f'<p class="found">{found:,} trial{"s" if found != 1 else ""}{what}.</p>')
    if rows:
        parts.append(table)
    if next_after:
        query = urlencode({"q": text, "after": next_after} if text else {"after": next_after})
        parts.append(f"<p>{link('/trials?' + query, 'Next page')}</p>")
    return page("Trials", "".join(parts))
