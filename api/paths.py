"""The mapping between the IRIs this server mints and the paths that serve them.

Why a module of its own: the mapping runs both ways (a request path names an IRI; a page links an
IRI to its path), and both directions must agree on escaping. An IRI may hold characters an HTTP
path cannot (``é``), and a path may hold escapes an IRI keeps as they are (``%5B``): RFC 3987
converts between the two (§3.1 IRI to URI, §3.2 URI to IRI), and this module follows it, so that
``/id/%5B`` names the IRI ``…/id/%5B`` (which the store may simply not hold: 404), never the
string ``…/id/[``, which is not an IRI at all and which the store's parser would refuse.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.settings import Settings
from kg.vocab import ONTOLOGY_IRI

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_BIDI_FORMATTING = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
"""Characters RFC 3987 §4.1 forbids in IRIs although they are ucschar."""


def _is_ucschar(char: str) -> bool:
    """Whether a non-ASCII character may stand unescaped in an IRI (RFC 3987 §2.2 ucschar, and
    iprivate, which only the query may hold and which we therefore leave escaped)."""
    point = ord(char)
    if char in _BIDI_FORMATTING:
        return False
    if 0xA0 <= point <= 0xD7FF or 0xF900 <= point <= 0xFDCF or 0xFDF0 <= point <= 0xFFEF:
        return True
    return 0x10000 <= point <= 0xEFFFD and (point & 0xFFFF) < 0xFFFE


def _decode_run(run: str) -> str:
    """A run of ``%XX`` escapes with the ones RFC 3987 §3.2 lets an IRI hold decoded: unreserved
    ASCII and non-ASCII ucschar; reserved characters, ``%``, controls and octets that are not
    UTF-8 stay escaped (in upper case, RFC 3986 §6.2.2.1)."""
    octets = bytes.fromhex(run.replace("%", ""))
    out: list[str] = []
    index = 0
    while index < len(octets):
        lead = octets[index]
        width = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        try:
            char = octets[index : index + width].decode("utf-8")
        except UnicodeDecodeError:
            char = ""
        if len(char) == 1 and (char in _UNRESERVED or (ord(char) > 0x7F and _is_ucschar(char))):
            out.append(char)
            index += width
        else:
            out.append(f"%{lead:02X}")
            index += 1
    return "".join(out)


def uri_to_iri(text: str) -> str:
    """``text`` (a URI path as sent, escapes and all) as an IRI part (RFC 3987 §3.2).

    >>> uri_to_iri("trial/dascern")
    'trial/dascern'
    >>> uri_to_iri("caf%C3%A9%2Fx%5B%25zz%41")
    'café%2Fx%5B%25zzA'
    >>> uri_to_iri("%C2%80%FF")
    '%C2%80%FF'
    """
    return _ESCAPES.sub(lambda match: _decode_run(match.group(0)), text)


def iri_to_uri(iri: str) -> str:
    """``iri`` with its non-ASCII characters escaped as UTF-8 (RFC 3987 §3.1), fit for a path,
    an ``href`` or an HTTP header, which must be ASCII.

    >>> iri_to_uri("https://w3id.org/evidence-kg/id/café")
    'https://w3id.org/evidence-kg/id/caf%C3%A9'
    """
    return quote(iri, safe="".join(chr(i) for i in range(0x21, 0x7F)))


def local_path(iri: str, settings: Settings) -> str | None:
    """The server path that serves ``iri``, or ``None`` if this server does not mint it.

    >>> local_path("https://w3id.org/evidence-kg/id/trial/dascern", Settings())
    '/id/trial/dascern'
    >>> local_path("https://w3id.org/evidence-kg/ontology/Trial", Settings())
    '/ontology/Trial'
    >>> local_path("https://schema.org/Drug", Settings()) is None
    True
    """
    if iri.startswith(settings.base_iri):
        return "/id/" + iri_to_uri(iri[len(settings.base_iri) :])
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology/" + iri_to_uri(iri[len(ONTOLOGY_IRI) :])
    return None


def requested_iri(raw_path: str, prefix: str, namespace: str) -> str:
    """The IRI a request for ``raw_path`` (as sent, escapes kept) names: ``namespace`` followed by
    what comes after ``prefix``, converted from URI to IRI.

    >>> requested_iri("/id/%5B", "/id/", "https://w3id.org/evidence-kg/id/")
    'https://w3id.org/evidence-kg/id/%5B'
    """
    return namespace + uri_to_iri(raw_path[len(prefix) :])
