"""Reading RDF files safely: the one place the project turns bytes into triples.

Why: a user's file must never make us reach the network or other files, and a broken file must be
reported with its name and line, not as a stack trace.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

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


class InputError(Exception):
    """An input could not be read or parsed. ``str()`` names the file and, when known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


def guess_format(path: Path) -> str:
    """The rdflib parser name for a file, from its suffix."""
    try:
        return FORMAT_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise InputError(str(path), f"unknown RDF file type {path.suffix!r}") from None


def parse_file(path: Path, *, base_iri: str, max_bytes: int, rdf_format: str | None = None) -> Graph:
    """Parse one RDF file, resolving relative IRIs against ``base_iri``."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror}") from error
    if size > max_bytes:
        raise InputError(str(path), f"file is {size} bytes, over the {max_bytes}-byte input cap")
    data = path.read_bytes()
    graph = Graph()
    try:
        graph.parse(data=data, format=rdf_format or guess_format(path), publicID=base_iri)
    except Exception as error:  # rdflib raises many unrelated types for bad input
        raise InputError(str(path), str(error)) from error
    return graph
