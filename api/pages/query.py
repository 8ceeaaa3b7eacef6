"""The SPARQL query page: a form with example queries, and results as a table.

Plain HTML that submits with GET to ``/sparql`` (so a result page is a bookmarkable link); a
browser's ``Accept`` header asks for HTML, which brings the results back on this page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from api.pages.layout import esc, link, page

Binding = Mapping[str, object]
LocalHref = Callable[[str], str | None]


def shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:name`` for an IRI in a known namespace, else the IRI.

    >>> shorten("https://schema.org/Drug", {"schema": "https://schema.org/"})
    'schema:Drug'
    """
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _cell(binding: Binding | None, local_href: LocalHref, prefixes: Mapping[str, str]) -> str:
    if not binding:
        return "<td></td>"
    kind, value = binding.get("type"), str(binding.get("value", ""))
    if kind == "uri":
        href = local_href(value)
        text = shorten(value, prefixes)
        return f"<td>{link(href, text) if href else link(value, text, external=True)}</td>"
    if kind == "bnode":
        return f"<td>_:{esc(value)}</td>"
    extra = ""
    if "xml:lang" in binding:
        extra = f' <span class="dt">@{esc(binding["xml:lang"])}</span>'
    elif "datatype" in binding:
        datatype = str(binding["datatype"])
        extra = f' <span class="dt">{esc(datatype.rsplit("#", 1)[-1])}</span>'
    return f"<td>{esc(value)}{extra}</td>"


def results_table(
    variables: Sequence[str],
    bindings: Sequence[Mapping[str, Binding]],
    *,
    local_href: LocalHref,
    prefixes: Mapping[str, str],
) -> str:
    """SELECT results (SPARQL JSON bindings) as an HTML table; IRIs we serve link locally."""
    head = "".join(f"<th>{esc(name)}</th>" for name in variables)
    rows = "".join(
        "<tr>" + "".join(_cell(row.get(name), local_href, prefixes) for name in variables) + "</tr>"
        for row in bindings
    )
    count = f"<p>{len(bindings)} row{'s' if len(bindings) != 1 else ''}</p>"
    return f"{count}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def query_page(
    *,
    query: str,
    examples: Sequence[tuple[str, str]],
    results_html: str = "",
    error: str | None = None,
    status_note: str = "",
) -> str:
    """The whole page; ``results_html`` must be safe HTML (from :func:`results_table`)."""
    example_items = "".join(
        f"<li>{link('/sparql?' + urlencode({'query': text}), title)}</li>"
        for title, text in examples
    )
    form = (
        '<form method="get" action="/sparql">'
        '<label for="query">SPARQL 1.1 query (read-only)</label>'
        f'<textarea id="query" name="query" rows="14">{esc(query)}</textarea>'
        '<p><button type="submit">Run query</button> '
        "Results come back here as a table; other clients get JSON, XML, CSV, TSV or RDF "
        "by their <code>Accept</code> header.</p></form>"
    )
    parts = [
        "<h1>SPARQL query</h1>",
        '<p class="iri">Endpoint: /sparql (SPARQL 1.1 Protocol; service description by '
        "<code>Accept: text/turtle</code>); relative IRIs resolve against the dataset's base "
        "IRI.</p>",
        '<p>For highlighting, completion and charts: the '
        '<a href="/sparql/editor">SPARQL editor</a> (YASGUI).</p>',
        form,
    ]
    if error:
        parts.append(f'<p class="error" role="alert">{esc(error)}</p>')
    if status_note:
        parts.append(f"<p>{esc(status_note)}</p>")
    if results_html:
        parts.append(f'<section id="results"><h2>Results</h2>{results_html}</section>')
    parts.append(f"<h2>Example queries</h2><ul>{example_items}</ul>")
    return page("SPARQL query", "".join(parts))


def graph_result(turtle: str) -> str:
    """A CONSTRUCT or DESCRIBE result, shown as Turtle text."""
    return f"<pre>{esc(turtle)}</pre>"
