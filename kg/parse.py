"""Reading RDF files safely: the one place the project turns bytes into triples.

Why: a user's file must never make us reach the network or other files, and a broken file must be
reported with its name and line, not as a stack trace. Concretely:

- the size cap is enforced before and while reading (``/dev/zero`` reports size 0);
- RDF/XML with a DOCTYPE or entity declaration is refused before rdflib sees it (XXE, billion
  laughs), by a first pass of expat with every declaration handler set to refuse;
- JSON-LD is decoded here and every ``@context``/``@import`` reference is resolved against the
  bundled contexts only (the published evidence-kg context maps to ``ontology/context.jsonld``);
  any other reference is refused, so rdflib's JSON-LD loader never fetches a URL;
- the bytes are handed to rdflib with ``publicID=base_iri`` and no file name, so relative IRIs
  resolve against the configured base, never against the file's path; an IRI with the ``file:``
  scheme (from ``@base <file:///…>``) is refused afterwards.
"""

from __future__ import annotations

import json
import re
import stat
import xml.parsers.expat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.settings import RESOURCE_ROOT

CONTEXT_URL = "https://w3id.org/evidence-kg/context.jsonld"
"""Where the project's JSON-LD context is published; documents may reference it by this URL."""

BUNDLED_CONTEXT_PATH = RESOURCE_ROOT / "ontology" / "context.jsonld"

FORMAT_BY_SUFFIX = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

_FORMAT_ALIASES = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "n-quads": "nquads",
    "jsonld": "json-ld",
    "rdfxml": "xml",
    "rdf/xml": "xml",
}

QUAD_FORMATS = frozenset({"nquads", "trig"})
LINE_FORMATS = frozenset({"nt", "nquads"})
GRAPH_FORMATS = QUAD_FORMATS | {"json-ld"}
"""Formats that can name graphs (JSON-LD with ``@graph`` and an ``@id``)."""
_FORMAT_NAMES = {
    "turtle": "Turtle",
    "nt": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "json-ld": "JSON-LD",
    "xml": "RDF/XML",
}
_LOCATED_MESSAGE = re.compile(r"^\S*?:(?P<line>\d+):\d+: (?P<why>.+)$", re.DOTALL)
_INVALID_IRI_CHARACTERS = frozenset('<>"{}|^`\\ \t\n\r')


class InputError(Exception):
    """An input could not be read or parsed. ``str()`` names the file and, when known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = " ".join(message.split())  # one line, whatever the parser gave
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {self.message}")


def guess_format(path: Path) -> str:
    """The rdflib parser name for a file, from its suffix."""
    try:
        return FORMAT_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise InputError(str(path), f"unknown RDF file type {path.suffix!r}") from None


def normalize_format(rdf_format: str) -> str:
    """rdflib's parser name for a format users may type (``ntriples``, ``jsonld``)."""
    name = rdf_format.lower()
    name = _FORMAT_ALIASES.get(name, name)
    if name not in set(FORMAT_BY_SUFFIX.values()):
        raise ValueError(f"unknown RDF format {rdf_format!r}")
    return name


def default_contexts() -> dict[str, Path]:
    """The JSON-LD contexts a document may reference: only the project's own, from disk."""
    return {CONTEXT_URL: BUNDLED_CONTEXT_PATH}


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, refusing anything that is not a regular file of at most ``max_bytes``.

    Why both checks: ``stat`` refuses a large file before any byte is read, and the bounded read
    still holds if the file grows meanwhile or lies about its size.
    """
    try:
        info = path.stat()
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror or error}") from error
    if not stat.S_ISREG(info.st_mode):
        raise InputError(str(path), "cannot read: not a regular file")
    if info.st_size > max_bytes:
        raise InputError(
            str(path), f"file is {info.st_size} bytes, over the {max_bytes}-byte input cap"
        )
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror or error}") from error
    if len(data) > max_bytes:
        raise InputError(str(path), f"file is over the {max_bytes}-byte input cap")
    return data


def parse_bytes(
    data: bytes,
    *,
    source: str,
    rdf_format: str,
    base_iri: str,
    contexts: Mapping[str, Path] | None = None,
) -> Dataset:
    """Parse ``data`` into a Dataset; ``source`` names the input in error messages.

    Triple formats fill the default graph; N-Quads and TriG keep their named graphs.
    """
    dataset = Dataset()
    _parse_into(
        dataset, data, source=source, rdf_format=rdf_format, base_iri=base_iri, contexts=contexts
    )
    return dataset


def _parse_into(
    target: Graph,
    data: bytes,
    *,
    source: str,
    rdf_format: str,
    base_iri: str,
    contexts: Mapping[str, Path] | None,
) -> None:
    """Parse ``data`` into ``target`` (a Dataset, or a Graph for a format without named graphs),
    raising :class:`InputError` for anything it refuses."""
    fmt = normalize_format(rdf_format)
    payload: bytes | str = data
    try:
        if fmt == "xml":
            _refuse_xml_declarations(data, source)
        elif fmt == "json-ld":
            document = _decode_json(data, source)
            payload = json.dumps(_inline_contexts(document, source, contexts or default_contexts()))
        target.parse(data=payload, format=fmt, publicID=base_iri)
    except BadSyntax as error:
        raise InputError(source, _bad_syntax_reason(error), error.lines + 1) from error
    except SAXParseException as error:
        raise InputError(source, error.getMessage(), error.getLineNumber()) from error
    except ParserError as error:
        if fmt in LINE_FORMATS:
            line, reason = _locate_line_error(data, fmt, base_iri)
            raise InputError(source, reason, line) from error
        located = _LOCATED_MESSAGE.match(str(error).strip())
        if located:  # rdflib's RDF/XML parser says "None:4:0: why"
            raise InputError(source, located["why"], int(located["line"])) from error
        raise InputError(source, f"invalid {_FORMAT_NAMES[fmt]}: {error}") from error
    except InputError:
        raise
    except RecursionError:
        raise InputError(source, "nested too deeply to parse") from None
    except Exception as error:  # rdflib raises many unrelated types for bad input
        message = str(error).strip().splitlines()
        reason = message[0] if message else type(error).__name__
        raise InputError(source, f"invalid {_FORMAT_NAMES[fmt]}: {reason}") from error
    _refuse_unsafe_iris(target, source)


def parse_dataset(
    path: Path,
    *,
    base_iri: str,
    max_bytes: int,
    rdf_format: str | None = None,
    contexts: Mapping[str, Path] | None = None,
) -> Dataset:
    """Parse one RDF file, keeping named graphs (N-Quads, TriG); triples go to the default graph."""
    fmt = rdf_format or guess_format(path)
    data = read_bounded(path, max_bytes)
    return parse_bytes(data, source=str(path), rdf_format=fmt, base_iri=base_iri, contexts=contexts)


def parse_file(
    path: Path,
    *,
    base_iri: str,
    max_bytes: int,
    rdf_format: str | None = None,
    contexts: Mapping[str, Path] | None = None,
) -> Graph:
    """Parse one RDF file into one graph (the union of its graphs for N-Quads and TriG).

    Relative IRIs resolve against ``base_iri``, never against the file's location. A format
    without named graphs is parsed straight into the graph: going through a Dataset and copying
    cost a second insert of every triple, a third of the memory backend's load.
    """
    fmt = normalize_format(rdf_format or guess_format(path))
    target = Dataset() if fmt in GRAPH_FORMATS else Graph()
    _parse_into(
        target,
        read_bounded(path, max_bytes),
        source=str(path),
        rdf_format=fmt,
        base_iri=base_iri,
        contexts=contexts,
    )
    if not isinstance(target, Dataset):
        return target
    graph = Graph()
    for prefix, namespace in target.namespaces():
        graph.bind(prefix, namespace, override=False)
    for s, p, o, _ in target.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


# --- RDF/XML -----------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _refuse(*_args: object) -> NoReturn:
    raise _Refused


def _refuse_xml_declarations(data: bytes, source: str) -> None:
    """Refuse DOCTYPE, entity declarations and external references before rdflib parses XML.

    Why expat and not a byte search: the document may be UTF-16 or hide the declaration behind
    an encoding declaration; expat decodes as the XML parser will.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(data, True)
    except _Refused:
        raise InputError(
            source,
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused (entities can read files "
            "or expand without bound)",
            parser.CurrentLineNumber,
        ) from None
    except xml.parsers.expat.ExpatError as error:
        raise InputError(
            source, xml.parsers.expat.ErrorString(error.code) or "malformed XML", error.lineno
        ) from None


# --- JSON-LD -----------------------------------------------------------------------------------


def _decode_json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise InputError(source, f"invalid JSON: {error.msg}", error.lineno) from None
    except UnicodeDecodeError as error:
        raise InputError(source, f"invalid JSON: not UTF-8 ({error.reason})") from None
    except RecursionError:
        raise InputError(source, "invalid JSON: nested too deeply") from None


def _load_bundled(url: str, path: Path, source: str) -> Any:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(
            source, f"bundled JSON-LD context for {url} is unreadable: {error}"
        ) from None
    if not isinstance(document, dict) or "@context" not in document:
        raise InputError(source, f"bundled JSON-LD context for {url} has no @context")
    return document["@context"]


def _inline_contexts(node: Any, source: str, contexts: Mapping[str, Path]) -> Any:
    """A copy of a JSON-LD document with every context reference replaced by its bundled content.

    Why: rdflib's JSON-LD parser fetches any ``@context`` (or ``@import``) string it meets, with
    no hook to stop it. Replacing references before rdflib runs means it never sees a URL.
    """
    if isinstance(node, list):
        return [_inline_contexts(item, source, contexts) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            result[key] = _resolve_context(value, source, contexts)
        else:
            result[key] = _inline_contexts(value, source, contexts)
    return result


def _resolve_context(value: Any, source: str, contexts: Mapping[str, Path]) -> Any:
    if isinstance(value, str):
        if value not in contexts:
            raise InputError(
                source,
                f"JSON-LD context {value!r} refused: remote contexts are not fetched; "
                f"only {', '.join(sorted(contexts))} is available (bundled)",
            )
        return _resolve_context(_load_bundled(value, contexts[value], source), source, contexts)
    if isinstance(value, list):
        return [_resolve_context(item, source, contexts) for item in value]
    if isinstance(value, dict):
        definitions = {k: v for k, v in value.items() if k != "@import"}
        resolved = _inline_contexts(definitions, source, contexts)
        if "@import" not in value:
            return resolved
        imported = _resolve_context(value["@import"], source, contexts)
        if not isinstance(imported, dict):
            raise InputError(source, "JSON-LD @import must name one context")
        # JSON-LD 1.1 §4.1.10: the importing context's own definitions win over imported ones.
        return {**imported, **resolved}
    return value


# --- error messages ----------------------------------------------------------------------------


def _bad_syntax_reason(error: BadSyntax) -> str:
    reason = getattr(error, "_why", None)
    return f"bad syntax: {reason}" if reason else "bad syntax"


def _locate_line_error(data: bytes, fmt: str, base_iri: str) -> tuple[int | None, str]:
    """The first line of an N-Triples/N-Quads document that fails on its own, and why.

    Why: rdflib's line parser reports the rest of the bad line but not its number; these formats
    hold one statement per line, so parsing line by line finds it exactly.
    """
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        try:
            Dataset().parse(data=line + b"\n", format=fmt, publicID=base_iri)
        except Exception:  # same breadth as the parse that failed
            return number, f"invalid {_FORMAT_NAMES[fmt]} statement"
    return None, f"invalid {_FORMAT_NAMES[fmt]} document"


def _refuse_unsafe_iris(graph: Graph, source: str) -> None:
    """Refuse ``file:`` IRIs and IRIs with characters no RDF syntax allows in an IRI.

    Why the second: rdflib accepts ``<bad iri>`` with a logged warning, and the triple would
    then break every N-Triples export and SPARQL query that contains it.
    """
    rows: Iterable[tuple[Node | None, ...]] = (
        graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else graph
    )
    for row in rows:
        for term in row:
            if not isinstance(term, URIRef):
                continue
            if term.lower().startswith("file:"):
                raise InputError(
                    source,
                    f"IRI <{term}> refused: file: IRIs point into the machine that parsed the "
                    "file (relative IRIs resolve against the configured base IRI)",
                )
            if _INVALID_IRI_CHARACTERS & set(term):
                raise InputError(
                    source, f'invalid IRI <{term}>: contains a space or one of <>"{{}}|^`\\'
                )
