"""Writes from the worker processes of a several-process server to the process that holds the
store (``KG_WORKERS`` > 1).

An embedded store has one writer, and ``kg serve``'s supervising process holds it; its worker
processes serve read-only snapshots. A worker that receives a write sends it here, over a Unix
socket beside the store that only the server's user can open, and waits for the result; the
supervisor runs it through its :class:`kg.write_service.WriteService` (so writes from every
process are serialized by one lock) and publishes a new snapshot. Messages are one JSON object
each way, length-prefixed.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import struct
import threading
from pathlib import Path
from typing import Any

from kg.write_service import WriteRequest, WriteResult, WriteService

HEADER = struct.Struct(">I")
MAX_MESSAGE = 64 * 1024 * 1024


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    payload = json.dumps(message).encode("utf-8")
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _receive(sock: socket.socket) -> dict[str, Any]:
    def exactly(size: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            chunk = sock.recv(size - len(chunks))
            if not chunk:
                raise ConnectionError("the other side closed the write channel")
            chunks += chunk
        return bytes(chunks)

    (size,) = HEADER.unpack(exactly(HEADER.size))
    if size > MAX_MESSAGE:
        raise ConnectionError(f"a write message of {size} bytes is over the limit")
    loaded: dict[str, Any] = json.loads(exactly(size))
    return loaded


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        message = _receive(self.request)
        request = WriteRequest(
            message["operation"], message["payload"], str(message["token_name"]),
            float(message["seconds"]),
        )
        result = self.server.service.execute(request)
        _send(self.request, result.as_json())


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = socket.SOMAXCONN
    """Writers waiting to be accepted. socketserver's default, 5, made the sixth of writers
    arriving together fail at once: a worker connects with a timeout, so its socket does not
    block, and a Unix socket whose queue is full refuses such a connect (EAGAIN) instead of
    waiting; eight concurrent writes lost one in a full test run."""

    def __init__(self, path: str, service: WriteService) -> None:
        self.service = service
        super().__init__(path, _Handler)


class WriteChannel:
    """The supervisor's end: serves writes on ``path`` until closed."""

    def __init__(self, path: Path, service: WriteService) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        previous = os.umask(0o177)  # the socket is the server user's alone
        try:
            self._server = _Server(str(path), service)
        finally:
            os.umask(previous)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kg-write-channel", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)


def send_write(path: Path, request: WriteRequest) -> WriteResult:
    """A worker's end: run ``request`` in the process that holds the store."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(request.seconds + 5)
        sock.connect(str(path))
        _send(sock, {"operation": request.operation, "payload": request.payload,
                     "token_name": request.token_name, "seconds": request.seconds})
        return WriteResult.from_json(_receive(sock))
