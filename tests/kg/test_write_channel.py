"""The write channel between a several-process server's workers and its supervisor."""

from __future__ import annotations

import socket
from pathlib import Path

from kg.write_channel import _Server


def test_writers_arriving_together_wait_to_be_accepted(tmp_path: Path) -> None:
    """Connections the supervisor has not accepted yet queue: a worker's socket has a timeout,
    so it does not block, and a full queue refused it at once (EAGAIN) with socketserver's
    queue of 5."""
    path = tmp_path / "writes.sock"
    server = _Server(str(path), service=None)  # type: ignore[arg-type]  # accepts nothing here
    writers: list[socket.socket] = []
    try:
        for _ in range(32):
            writer = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            writers.append(writer)
            writer.settimeout(5)  # as send_write does
            writer.connect(str(path))
    finally:
        for writer in writers:
            writer.close()
        server.server_close()
    assert len(writers) == 32
