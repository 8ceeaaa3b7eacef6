"""Read-only snapshots of an on-disk oxigraph store, for processes that only read.

Why snapshots: RocksDB lets one process write a store; others may open it read-only, but
pyoxigraph warns that reading while another process writes (or compacts) is undefined. A
checkpoint (:meth:`pyoxigraph.Store.backup`) is a consistent, immutable copy made of hard links
to the store's files: it takes milliseconds and no extra disk whatever the store's size, and the
writer's compactions cannot pull files from under a reader. Query workers and extra app
processes open the checkpoint read-only; the process that made it removes it when it stops, and
the next start removes checkpoints left by processes that were killed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.store import StoreError

SNAPSHOT_INFIX = ".snapshot-"
"""Checkpoints are folders ``.{store name}.snapshot-{pid}-{random}`` beside the store."""


@dataclass(frozen=True)
class Snapshot:
    """A checkpoint folder and the store inside it."""

    folder: Path

    @property
    def path(self) -> Path:
        """What to open with :func:`kg.store.open_checkpoint`."""
        return self.folder / "store"

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_snapshots(store_path: Path) -> list[Path]:
    """Remove checkpoints of ``store_path`` whose owner process is gone; return them."""
    removed = []
    prefix = f".{store_path.name}{SNAPSHOT_INFIX}"
    for folder in store_path.parent.glob(f"{prefix}*"):
        owner = folder.name[len(prefix) :].split("-", 1)[0]
        if owner.isdigit() and not _pid_alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def take_snapshot(store: ox.Store, store_path: Path) -> Snapshot:
    """A checkpoint of ``store`` (opened read-write at ``store_path``), beside it.

    Beside it, not in /tmp: hard links work only within one file system, and RocksDB falls back
    to copying every file otherwise.
    """
    remove_stale_snapshots(store_path)
    try:
        folder = tempfile.mkdtemp(
            prefix=f".{store_path.name}{SNAPSHOT_INFIX}{os.getpid()}-", dir=store_path.parent
        )
    except OSError as error:
        raise StoreError(f"cannot snapshot the store at {store_path}: {error}") from error
    snapshot = Snapshot(Path(folder))
    try:
        store.backup(str(snapshot.path))
    except OSError as error:
        snapshot.remove()
        raise StoreError(f"cannot snapshot the store at {store_path}: {error}") from error
    return snapshot
