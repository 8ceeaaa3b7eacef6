"""Messages between the query pool and its workers, framed as length-prefixed pickles.

Why a module of their own: the worker runs as ``__main__``, so classes defined there would
unpickle under another name in the parent; both sides import them from here instead.
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass
from typing import BinaryIO

from kg.sparql.guard import CheckedQuery
from kg.sparql.results import GraphFormat, ResultFormat

HEADER = struct.Struct(">Q")


@dataclass(frozen=True)
class WorkerSetup:
    """The first message to a worker: where its graph is. Exactly one source is set.

    Why three sources: an in-memory store can only be copied (``nquads``); an on-disk store is
    opened read-only from a checkpoint (``path``), so start-up costs the same at 30 M triples as at
    3,000; a remote store is already a server (``endpoint``), and the worker forwards each query
    there, so that killing it on timeout still drops the request.
    """

    prefixes: dict[str, str]
    nquads: bytes | None = None
    path: str | None = None
    endpoint: str | None = None
    endpoint_timeout: float = 60.0


@dataclass(frozen=True)
class QueryRequest:
    """One query for a worker: already checked by :mod:`kg.sparql.guard`."""

    text: str
    result_format: ResultFormat | GraphFormat
    max_rows: int
    default_graphs: tuple[str, ...] | None = None
    """Protocol ``default-graph-uri`` values; ``None`` means the union of all graphs."""
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    """What relative IRIs in the query resolve against."""


@dataclass(frozen=True)
class QueryResponse:
    """What a worker answers: ``status`` is ``ok``, ``syntax``, ``too-large`` or ``error``."""

    status: str
    body: bytes = b""
    message: str = ""
    rows: int = 0


def write_message(stream: BinaryIO, message: object) -> None:
    """Write one length-prefixed pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_message(stream: BinaryIO) -> object:
    """Read one length-prefixed pickle; EOFError when the other side closed the pipe."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return pickle.loads(payload)


@dataclass(frozen=True)
class CheckRequest:
    """Parse and check a query (in the worker, so that a slow parse is killable too)."""

    text: str
    known_graphs: frozenset[str]
    base_iri: str | None = None


@dataclass(frozen=True)
class CheckResponse:
    """``status`` is ``ok`` (then ``checked`` is set), ``syntax``, ``update``, ``service`` or
    ``unknown-graph``; ``message`` says why."""

    status: str
    checked: CheckedQuery | None = None
    message: str = ""
