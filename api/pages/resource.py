"""The HTML page of a dereferenced resource: its description as a table, and for a trial its
arms, endpoints and forest plot.

Every piece of text from the graph goes through :func:`api.pages.layout.esc`; IRIs we serve become
local links (via ``local_href``), other IRIs external links.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from api.pages.forest import forest_plot
from api.pages.layout import esc, link, page
from kg.describe import TrialView

LocalHref = Callable[[str], str | None]
"""Maps an IRI to the path this server serves it at, or ``None`` if it is not ours."""


def _label(graph: Graph, node: Node) -> str | None:
    for value in graph.objects(node, RDFS.label):
        return str(value)
    return None


def _curie(graph: Graph, iri: URIRef) -> str:
    try:
        prefix, _, name = graph.compute_qname(iri, generate=False)
    except (KeyError, ValueError):
        return str(iri)
    return f"{prefix}:{name}"


def _iri_link(graph: Graph, iri: URIRef, local_href: LocalHref) -> str:
    text = _label(graph, iri) or _curie(graph, iri)
    href = local_href(str(iri))
    if href is not None:
        return link(href, text)
    return link(str(iri), text, external=True)


def _value(graph: Graph, node: Node, local_href: LocalHref, depth: int) -> str:
    if isinstance(node, URIRef):
        return _iri_link(graph, node, local_href)
    if isinstance(node, Literal):
        extra = ""
        if node.language:
            extra = f' <span class="dt">@{esc(node.language)}</span>'
        elif node.datatype is not None:
            extra = f' <span class="dt">{esc(_curie(graph, node.datatype))}</span>'
        return f"{esc(node)}{extra}"
    if isinstance(node, BNode) and depth < 4:
        items = list(graph.items(node)) if (node, RDF.first, None) in graph else None
        if items is not None:
            return (
                "<ol>"
                + "".join(
                    f"<li>{_value(graph, item, local_href, depth + 1)}</li>" for item in items
                )
                + "</ol>"
            )
        return _table(graph, node, local_href, depth + 1)
    return esc(node)


def _table(graph: Graph, subject: Node, local_href: LocalHref, depth: int = 0) -> str:
    rows = []
    predicates = sorted(set(graph.predicates(subject)), key=lambda p: (p != RDF.type, str(p)))
    for predicate in predicates:
        assert isinstance(predicate, URIRef)
        values = sorted(graph.objects(subject, predicate), key=str)
        cells = "<br>".join(_value(graph, v, local_href, depth) for v in values)
        rows.append(f"<tr><th>{_iri_link(graph, predicate, local_href)}</th><td>{cells}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _trial_sections(view: TrialView, local_href: LocalHref, title: str) -> str:
    def name(iri: str, text: str) -> str:
        href = local_href(iri)
        return link(href, text) if href else esc(text)

    arms = "".join(
        f"<tr><td>{name(a.iri, a.label)}</td><td>{esc(a.role or '')}</td>"
        f'<td class="num">{esc(a.participants if a.participants is not None else "")}</td>'
        f"<td>{esc(a.intervention or '')}</td></tr>"
        for a in view.arms
    )
    endpoints = "".join(
        f"<tr><td>{name(e.iri, e.label)}</td><td>{esc(e.kind or '')}</td>"
        f"<td>{esc(e.time_frame or '')}</td></tr>"
        for e in view.endpoints
    )
    parts = [
        '<section id="arms"><h2>Arms</h2><table><thead><tr><th>Arm</th><th>Role</th>'
        f"<th>Participants</th><th>Intervention</th></tr></thead><tbody>{arms}</tbody></table>"
        "</section>",
        '<section id="endpoints"><h2>Endpoints</h2><table><thead><tr><th>Endpoint</th>'
        f"<th>Kind</th><th>Time frame</th></tr></thead><tbody>{endpoints}</tbody></table>"
        "</section>",
    ]
    plot = forest_plot(view.estimates, title=f"Effect estimates of {title}")
    derived = sum(1 for e in view.estimates if e.derived)
    parts.append(
        '<section id="effects"><h2>Effect estimates</h2>'
        f"<p>{len(view.estimates)} estimates: {len(view.estimates) - derived} reported by a "
        f"source, {derived} derived here from reported figures (their computation is in the "
        "graph, via <code>prov:wasGeneratedBy</code>).</p>"
        f"{plot or '<p>No effect estimates.</p>'}"
    )
    if view.unquantified:
        items = "".join(
            f"<li>{name(u.comparison, u.label)}: "
            + esc(
                "not significant"
                if u.significant is False
                else "significant"
                if u.significant
                else "significance not stated"
            )
            + (f", p = {esc(u.p_value)}" if u.p_value is not None else "")
            + " (no figures reported)</li>"
            for u in view.unquantified
        )
        parts.append(f"<h3>Comparisons without effect estimates</h3><ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


def resource_page(
    graph: Graph,
    iri: str,
    *,
    local_href: LocalHref,
    alternates: list[tuple[str, str]],
    trial: TrialView | None = None,
    reported: str = "",
) -> str:
    """The page of ``iri`` from its description ``graph``; a trial's page leads with
    ``reported`` (:func:`api.pages.reported.reported_section`), then its design and plot."""
    subject = URIRef(iri)
    title = _label(graph, subject) or iri
    types = ", ".join(
        _iri_link(graph, t, local_href)
        for t in sorted(graph.objects(subject, RDF.type), key=str)
        if isinstance(t, URIRef)
    )
    formats = " ".join(
        f'<a href="{esc(href)}" type="{esc(media)}">{esc(media)}</a>' for href, media in alternates
    )
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="iri">{esc(iri)}</p>',
        f"<p>{types}</p>" if types else "",
        f'<p class="formats">Also as: {formats}</p>',
    ]
    parts.append(reported)
    if trial is not None:
        parts.append(_trial_sections(trial, local_href, title))
    parts.append(
        f'<section id="description"><h2>All statements</h2>'
        f"{_table(graph, subject, local_href)}</section>"
    )
    return page(title, "".join(parts), head_links=alternates)
