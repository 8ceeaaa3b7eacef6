"""The pages that start the browser UIs (GraphiQL, YASGUI) on the application's own files.

Why pages of our own: strawberry's GraphiQL page loads React and GraphiQL from unpkg.com, and
YASGUI's documentation loads it from a CDN; these load them from ``/static/vendor``
(:mod:`api.ui_assets`), start them on this server's endpoints, and open them on our examples.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from api.pages.layout import esc
from api.ui_assets import UiAssets


def content_security_policy(*, any_endpoint: bool = False) -> str:
    """The ``Content-Security-Policy`` of the UI pages: scripts, styles, images and fonts from
    this origin only, so a page cannot reach another host even where a UI would (ReDoc's badge
    loads its logo from cdn.redoc.ly; the browser now refuses it without a request). Inline
    script and style are allowed: the pages start the UIs inline, and the UIs style inline.
    ``any_endpoint`` lets the page query other hosts (the SPARQL editor, whose user may point it
    at another endpoint).

    >>> "connect-src 'self'" in content_security_policy()
    True
    """
    connect = "*" if any_endpoint else "'self'"
    return (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        f"worker-src 'self' blob:; connect-src {connect}; base-uri 'self'; form-action 'self'"
    )


def script_json(value: object) -> str:
    r"""``value`` as JSON safe inside a ``<script>`` element: no ``</script>`` or ``<!--`` in it
    can end or change the element, since every ``<`` is escaped.

    >>> print(script_json("</script><b>"))
    "\u003c/script>\u003cb>"
    """
    return json.dumps(value).replace("<", "\\u003c")


def _document(title: str, head: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>{head}</head><body>{body}</body></html>\n"
    )


def graphiql_page(assets: UiAssets, default_query: str) -> str:
    """GraphiQL on ``/graphql`` (this page's own address), opening on ``default_query``."""
    head = (
        f'<link rel="stylesheet" href="{esc(assets.url("graphiql", "graphiql.min.css"))}">'
        "<style>body{margin:0}#graphiql{height:100vh}</style>"
    )
    scripts = "".join(
        f'<script src="{esc(assets.url(package, file))}"></script>'
        for package, file in (
            ("react", "umd/react.production.min.js"),
            ("react-dom", "umd/react-dom.production.min.js"),
            ("graphiql", "graphiql.min.js"),
        )
    )
    start = (
        "<script>"
        "const fetcher = GraphiQL.createFetcher({url: window.location.pathname});"
        "ReactDOM.createRoot(document.getElementById('graphiql')).render("
        "React.createElement(GraphiQL, {fetcher: fetcher, "
        f"defaultQuery: {script_json(default_query)}, defaultEditorToolsVisibility: true}}));"
        "</script>"
    )
    body = f'<div id="graphiql">Loading GraphiQL…</div>{scripts}{start}'
    return _document("GraphiQL · evidence-kg", head, body)


def sparql_editor_page(assets: UiAssets, examples: Sequence[tuple[str, str]]) -> str:
    """YASGUI on ``/sparql``, one tab per example query (``examples``: title, text).

    The autocompleters that ask a web service (LOV) for classes and properties are left out:
    the editor must not reach other hosts; prefixes and variables complete from what it holds.
    """
    head = (
        f'<link rel="stylesheet" href="{esc(assets.url("@zazuko/yasgui", "build/yasgui.min.css"))}">'
        "<style>body{margin:0 auto;max-width:90rem;padding:.5rem 1rem;"
        "font:15px/1.45 system-ui,sans-serif}</style>"
    )
    tabs = [{"name": title, "query": text} for title, text in examples]
    start = (
        "<script>"
        "const endpoint = new URL('../sparql', window.location.href).href;"
        f"const examples = {script_json(tabs)};"
        "Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters"
        ".filter(name => name !== 'class' && name !== 'property');"
        "const yasgui = new Yasgui(document.getElementById('yasgui'), {"
        "requestConfig: {endpoint: endpoint, method: 'POST'},"
        "copyEndpointOnNewTab: true, autoAddOnInit: false, persistenceId: null,"
        "endpointCatalogueOptions: {getData: () => [{endpoint: endpoint}], keys: []}});"
        "examples.forEach((example, index) => yasgui.addTab(index === 0, {"
        "...Yasgui.Tab.getDefaults(yasgui), name: example.name,"
        "yasqe: {value: example.query}, requestConfig: {endpoint: endpoint, method: 'POST'}}));"
        "window.yasgui = yasgui;"
        "</script>"
    )
    body = (
        '<p><a href="/">evidence-kg</a> · SPARQL editor (YASGUI) on '
        '<a href="../sparql">/sparql</a>; the example queries are open as tabs.</p>'
        '<div id="yasgui"></div>'
        f'<script src="{esc(assets.url("@zazuko/yasgui", "build/yasgui.min.js"))}"></script>'
        f"{start}"
    )
    return _document("SPARQL editor · evidence-kg", head, body)
