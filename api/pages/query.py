"""The SPARQL query page: a form with example queries, and results as a table.

Plain HTML that submits with GET to ``/sparql`` (so a result page is a bookmarkable link); a
browser's ``Accept`` header asks for HTML, which brings the results back on this page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from api.pages.html import esc, link, page

Binding = Mapping[str, object]


def _cell(binding: Binding | None) -> str:
    if not binding:
        return "<td></td>"
    kind, value = binding.get("type"), str(binding.get("value", ""))
    if kind == "uri":
        return f"<td>{link(value, value)}</td>"
    if kind == "bnode":
        return f"<td>_:{esc(value)}</td>"
    extra = ""
    if "xml:lang" in binding:
        extra = f' <span class="dt">@{esc(binding["xml:lang"])}</span>'
    elif "datatype" in binding:
        datatype = str(binding["datatype"])
        extra = f' <span class="dt">{esc(datatype.rsplit("#", 1)[-1])}</span>'
    return f"<td>{esc(value)}{extra}</td>"


def results_table(variables: Sequence[str], bindings: Sequence[Mapping[str, Binding]]) -> str:
    """SELECT results (SPARQL JSON bindings) as an HTML table."""
    head = "".join(f"<th>{esc(name)}</th>" for name in variables)
    rows = "".join(
        "<tr>" + "".join(_cell(row.get(name)) for name in variables) + "</tr>" for row in bindings
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
        "<code>Accept: text/turtle</code>)</p>",
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
