"""The HTML every page shares: layout, escaping, links. Server-rendered, no scripts, no CDN.

Why no template engine: the pages are few and small, and building them from functions that
escape every piece of text by default (:func:`esc`) keeps data from ever becoming markup.
"""

from __future__ import annotations

from html import escape

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem;
  color: #1b1f24; }
header nav a { margin-right: 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
.iri { color: #57606a; font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .25rem .6rem; border-bottom: 1px solid #d0d7de; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.dt { color: #8c959f; font-size: .8rem; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .85rem; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85rem; }
.error { background: #ffebe9; border: 1px solid #ff8182; padding: .5rem .8rem; }
.formats a { margin-right: .6rem; }
figure.forest { margin: .5rem 0; }
form.search input { width: min(28rem, 70vw); padding: .2rem .4rem; }
#reported .headline { font-size: 1.1rem; margin: .6rem 0 .1rem; }
#reported .comparison ul { margin: .2rem 0 .6rem; }
.cite { font-size: .8rem; color: #57606a; }
.derived { color: #6e4b00; }
""".strip()


NAVIGATION = "".join(
    f'<a href="{href}">{text}</a>'
    for href, text in (
        ("/", "Home"),
        ("/trials", "Trials"),
        ("/graphql", "GraphiQL"),
        ("/sparql/editor", "SPARQL editor"),
        ("/sparql", "SPARQL"),
        ("/ontology", "Ontology"),
        ("/.well-known/void", "Dataset (VoID)"),
        ("/dump.ttl", "Dump"),
        ("/docs", "API docs"),
    )
)
"""The bar atop every page: the places the landing page lists, most used first."""


def esc(text: object) -> str:
    """Escape any value for use in HTML text or a double-quoted attribute."""
    return escape(str(text), quote=True)


def link(href: str, text: str, *, external: bool = False) -> str:
    """An ``<a>`` with escaped target and text; external links do not leak the referrer."""
    rel = ' rel="noreferrer noopener"' if external else ""
    return f'<a href="{esc(href)}"{rel}>{esc(text)}</a>'


def page(title: str, body: str, *, head_links: list[tuple[str, str]] | None = None) -> str:
    """A whole HTML document; ``body`` must already be safe HTML.

    ``head_links`` are (href, media type) of alternate representations of the same resource.
    """
    alternates = "".join(
        f'<link rel="alternate" type="{esc(media)}" href="{esc(href)}">'
        for href, media in head_links or []
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>{alternates}<style>{STYLE}</style></head><body>"
        f"<header><nav>{NAVIGATION}</nav></header>"
        f"<main>{body}</main></body></html>\n"
    )
