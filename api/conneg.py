"""HTTP content negotiation: choose what to send from an ``Accept`` header (RFC 9110 §12.5.1).

Why a module of our own: every linked-data and SPARQL route negotiates, and they must agree on
q-values, wildcards and specificity (``text/turtle;q=0`` beats ``text/*``), and on answering 406
rather than guessing when nothing offered is acceptable.

>>> negotiate("text/html;q=0.5, text/turtle", ["text/html", "text/turtle"])
'text/turtle'
>>> negotiate("*/*", ["application/sparql-results+json", "text/csv"])
'application/sparql-results+json'
>>> negotiate("text/*;q=0.9, text/csv;q=0", ["text/csv", "text/tab-separated-values"])
'text/tab-separated-values'
>>> negotiate("image/png", ["text/html"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        """3 for ``a/b;x=y``, 2 for ``a/b``, 1 for ``a/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        """Whether the concrete ``media_type`` (no parameters) falls within this range."""
        offered_type, _, offered_subtype = media_type.partition("/")
        if self.type == "*":
            return True
        if self.type != offered_type.lower():
            return False
        return self.subtype in ("*", offered_subtype.lower())


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an ``Accept`` header, skipping malformed elements instead of failing the request.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/html, application/json;q=0.5")]
    [('text', 'html', 1.0), ('application', 'json', 0.5)]
    >>> parse_accept("text/plain;q=abc, nonsense, */*;q=2")[0].q
    1.0
    """
    ranges: list[MediaRange] = []
    for element in header.split(","):
        media, *raw_params = (part.strip() for part in element.split(";"))
        media_type, slash, subtype = media.partition("/")
        if not slash or not media_type or not subtype or (media_type == "*" and subtype != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for raw in raw_params:
            name, _, value = raw.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
                break  # parameters after q are accept-extensions, not media-type parameters
            if name:
                params.append((name, value))
        ranges.append(MediaRange(media_type.lower(), subtype.lower(), q, tuple(params)))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of the most specific matching range."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    return max(matching, key=lambda r: r.specificity).q


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, ties going to the earlier offer; ``None`` means 406.

    A missing or empty ``Accept`` header accepts anything, so the first offer is chosen.
    """
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best
