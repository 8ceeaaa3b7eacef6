"""Dumps: the curated release at ``/dump.<ext>``, byte-identical to ``kg export``, and every
graph the store serves at ``/dump/store.nq`` (:mod:`kg.dump`), streamed.

Why they call :func:`kg.export.export` on :func:`kg.build.build_dataset`: that is what
``kg export`` writes, so a mirror that compares checksums sees one artefact, whichever way it was
fetched. Each dump is built once per app (on first request), then served with a strong ``ETag``
(hash of the bytes), ``Last-Modified``, 304 on a matching ``If-None-Match``, and gzip when the
client accepts it.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import queue
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response, StreamingResponse

from api.deps import ServedDep, SettingsDep
from api.openapi import enum_of, get_and_head, responses
from kg.build import build_dataset
from kg.dump import REMOTE, store_nquads
from kg.export import FILE_EXTENSIONS, MEDIA_TYPES, ExportFormat, export
from kg.parse import BUNDLED_CONTEXT_PATH
from kg.settings import Settings

router = APIRouter(tags=["dumps"])

DUMP_EXTENSIONS: dict[str, ExportFormat] = {ext: fmt for fmt, ext in FILE_EXTENSIONS.items()}


@dataclass(frozen=True)
class Dump:
    """One serialized dump with its validators and its gzip variant."""

    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str


@dataclass
class DumpCache:
    """Dumps of the curated release, built on first request; kept on ``app.state``, never
    module-level. Not kept per data generation (:mod:`kg.served`): the release is built from the
    files in ``data/``, which no write or load to the store changes."""

    settings: Settings
    built_at: datetime
    _dumps: dict[ExportFormat, Dump]
    _lock: threading.Lock

    def get(self, fmt: ExportFormat) -> Dump:
        with self._lock:
            if fmt not in self._dumps:
                body = export(build_dataset(self.settings), fmt)
                digest = hashlib.sha256(body).hexdigest()[:32]
                self._dumps[fmt] = Dump(
                    body=body,
                    # mtime=0 makes the gzip bytes, and so their ETag, reproducible
                    gzipped=gzip.compress(body, mtime=0),
                    etag=digest,
                    last_modified=format_datetime(self.built_at, usegmt=True),
                )
            return self._dumps[fmt]


def _cache(request: Request, settings: Settings) -> DumpCache:
    cache = getattr(request.app.state, "dump_cache", None)
    if cache is None:
        cache = DumpCache(settings, datetime.now(UTC).replace(microsecond=0), {}, threading.Lock())
        request.app.state.dump_cache = cache
    assert isinstance(cache, DumpCache)
    return cache


def _accepts_gzip(header: str | None) -> bool:
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if params else "1"
            try:
                return float(q) > 0
            except ValueError:
                return True
    return False


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags


@get_and_head(
    router,
    "/dump.{extension}",
    response_model=None,
    response_class=Response,
    responses=responses(
        MEDIA_TYPES.values(), 304, 404, ok_description="The curated release in one format."
    ),
)
def dump(
    extension: Annotated[
        str,
        Path(
            description="The format's file extension.",
            json_schema_extra=enum_of(DUMP_EXTENSIONS),
        ),
    ],
    request: Request,
    settings: SettingsDep,
) -> Response:
    """The whole knowledge graph in the format named by the extension."""
    fmt = DUMP_EXTENSIONS.get(extension)
    if fmt is None:
        offered = ", ".join(f"/dump.{e}" for e in DUMP_EXTENSIONS)
        return PlainTextResponse(f"no dump .{extension}; try {offered}\n", status_code=404)
    item = _cache(request, settings).get(fmt)
    use_gzip = _accepts_gzip(request.headers.get("accept-encoding"))
    etag = f'"{item.etag}-gzip"' if use_gzip else f'"{item.etag}"'
    headers = {
        "ETag": etag,
        "Last-Modified": item.last_modified,
        "Vary": "Accept-Encoding",
        "Cache-Control": "public, max-age=300",
        "Content-Disposition": f'inline; filename="evidence-kg.{extension}"',
    }
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    media = MEDIA_TYPES[fmt]
    if media.startswith("text/") or media in (
        "application/n-triples",
        "application/n-quads",
        "application/trig",
    ):
        media += "; charset=utf-8"
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(item.gzipped, media_type=media, headers=headers)
    return Response(item.body, media_type=media, headers=headers)


@router.get(
    "/context.jsonld",
    response_model=None,
    response_class=FileResponse,
    responses=responses(["application/ld+json"], ok_description="The JSON-LD context."),
)
def jsonld_context() -> FileResponse:
    """The JSON-LD context the JSON-LD dump refers to, so that a client can expand the dump
    without reaching the published address (which resolves to a deployment like this one)."""
    return FileResponse(BUNDLED_CONTEXT_PATH, media_type="application/ld+json")


STORE_DUMP = "/dump/store.nq"


@get_and_head(
    router,
    STORE_DUMP,
    response_model=None,
    response_class=Response,
    responses=responses(
        [MEDIA_TYPES["nquads"]],
        304,
        404,
        ok_description="Every graph the store serves; 404 where the store is remote.",
    ),
)
def store_dump(request: Request, settings: SettingsDep, served: ServedDep) -> Response:
    """Every graph the store serves, as N-Quads streamed from it (gzip on the fly when asked).

    The ETag is the data generation's, since a generation's dump is the same bytes each time; a
    store without one (never built) gets none.
    """
    store, generation = served.store, served.generation
    if not store.capabilities.complete_results:
        return PlainTextResponse(f"{REMOTE}\n", status_code=404)
    use_gzip = _accepts_gzip(request.headers.get("accept-encoding"))
    headers = {
        "Vary": "Accept-Encoding",
        "Content-Disposition": 'inline; filename="evidence-kg-store.nq"',
        "Cache-Control": "no-cache",
    }
    if generation is not None:
        etag = f'"store-{generation}{"-gzip" if use_gzip else ""}"'
        headers.update({"ETag": etag, "Cache-Control": "public, max-age=300"})
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
    media = f"{MEDIA_TYPES['nquads']}; charset=utf-8"
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        return Response(media_type=media, headers=headers)
    chunks = in_one_thread(lambda: store_nquads(store, settings.base_iri))
    return StreamingResponse(
        _gzipped(chunks) if use_gzip else chunks, media_type=media, headers=headers
    )


_DONE = object()


def next_item(chunks: queue.Queue[object], stop: threading.Event) -> object:
    """The next item of ``chunks``, or the end once ``stop`` is set.

    Why not a plain ``get``: it runs in the event loop's thread pool, and a response cancelled
    while it waits would leave that ``get`` waiting for good once the producer stops: every
    abandoned dump would hold one of the pool's few threads.
    """
    while True:
        try:
            return chunks.get(timeout=0.25)
        except queue.Empty:
            if stop.is_set():
                return _DONE


async def in_one_thread(make: Callable[[], Iterator[bytes]]) -> AsyncIterator[bytes]:
    """The chunks of ``make()``, produced in one thread of their own.

    Why: pyoxigraph's iterators must be used in the thread that made them, while a streaming
    response would advance a plain iterator from whichever worker thread is free. A few chunks
    are read ahead; when the client goes away the producer stops at its next chunk.
    """
    chunks: queue.Queue[object] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def offer(item: object) -> bool:
        """Queue ``item`` unless the consumer has gone; whether it was queued."""
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in make():
                if not offer(chunk):
                    return
            offer(_DONE)
        except BaseException as error:  # handed to the response, which ends the stream
            offer(error)

    producer = threading.Thread(target=produce, name="store-dump", daemon=True)
    producer.start()
    try:
        while True:
            item = await asyncio.to_thread(next_item, chunks, stop)
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        stop.set()


async def _gzipped(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``chunks`` compressed as one gzip member; level 1, since a dump of 75 M quads is 14 GB
    of text and the default level would hold a core for minutes longer."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    async for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()
