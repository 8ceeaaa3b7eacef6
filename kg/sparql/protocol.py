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
class QueryRequest:
    """One query for a worker: already checked by :mod:`kg.sparql.guard`."""

    text: str
    result_format: ResultFormat | GraphFormat
    max_rows: int
    default_graphs: tuple[str, ...] | None = None
    """Protocol ``default-graph-uri`` values; ``None`` means the union of all graphs."""
    named_graphs: tuple[str, ...] | None = None


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


@dataclass(frozen=True)
class CheckResponse:
    """``status`` is ``ok`` (then ``checked`` is set), ``syntax``, ``update``, ``service`` or
    ``unknown-graph``; ``message`` says why."""

    status: str
    checked: CheckedQuery | None = None
    message: str = ""
