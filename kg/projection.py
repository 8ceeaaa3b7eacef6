"""A read projection beside an embedded store: one row per trial and data generation.

Why: a filtered-list page of 50 trials no request has read yet costs about 1,100 reads by key
in oxigraph (196 ms at 100,000 trials, 73% of it in the store), where the same page read from
per-trial documents takes 40 ms, 4.7 ms of it fetching them (benchmarks/never_read_pages.py).
The store cannot be made to read faster: it decodes each term it returns (5-20 us), and its own
SPARQL for that query takes 151 ms. So what a page reads is kept, per trial, in a file of its
own, kept up to date by the write path and rebuilt beside serving.

Versioning (why rows carry a sequence number): several processes serve one store, each from its
own snapshot of it (the supervisor's store, the workers' checkpoints), and each must read the
projection as of its snapshot's data generation, never a newer one. Here every generation the
projection has heard of gets a sequence number (:meth:`Projection.register`), in the order they
were made. A row is (trial, sequence, body): the trial as of that sequence, or, with no body, a
marker that the trial changed then. A reader at sequence ``S`` sees, for each trial, its row
with the highest sequence at or below ``S``; a marker there means no document. An "everything
changed" mark at ``S`` hides every row below ``S`` (a load or build, which do not say what
they changed).

Who writes what, and why it needs no lock between them:

* The write path registers its new generation, with markers for the studies it replaces,
  *before* it commits the store: until the commit no snapshot has that generation, and
  afterwards every snapshot that has it sees the markers.
* A builder reads a snapshot at sequence ``S`` and puts what it read as rows stamped ``S``:
  readers at ``S`` or later see them unless a later marker hides them, which is exactly when
  the trial changed after ``S``.
* A generation nobody registered (a ``kg load`` or ``kg build`` made it) is registered when
  first served, with the everything-changed mark.

The file is SQLite in WAL mode: readers in several processes, one writer at a time.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

from kg.store import is_persistent, is_private

LAYOUT = "1"
"""The layout of the file's tables; part of :data:`FORMAT`."""


def _format() -> str:
    """A digest of the file's layout and of the code and queries whose answers the bodies hold
    (the read model): a body read by other code may hold other values, so it is not kept."""
    digest = hashlib.sha256(LAYOUT.encode())
    package = resources.files("kg")
    readmodel = package.joinpath("readmodel")
    queries = package.joinpath("queries").joinpath("readmodel")
    sources = sorted(
        [f for f in readmodel.iterdir() if f.name.endswith(".py")]
        + [f for f in queries.iterdir() if f.name.endswith(".rq")]
        + [f for f in queries.joinpath("fragments").iterdir() if f.name.endswith(".rq")],
        key=lambda f: str(f),
    )
    for source in sources:
        content = source.read_bytes()
        digest.update(f"{source.name}\0{len(content)}\0".encode())
        digest.update(content)
    return f"{LAYOUT}:{digest.hexdigest()[:16]}"


FORMAT = _format()
"""What the bodies of a file must have been written under to be read now; a file of another
format is started afresh (:class:`Projection`)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS generation (
    generation TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL UNIQUE,
    everything INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS row (
    trial TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    body BLOB,
    PRIMARY KEY (trial, sequence)
) WITHOUT ROWID;
"""

_CHUNK = 500
"""Trials per query: SQLite allows 32,766 parameters; smaller batches keep each query quick."""


def projection_path(spec: str) -> Path | None:
    """Where the projection of the store ``spec`` names lives: beside an embedded store on disk
    (``oxigraph:PATH``: ``PATH.projection.sqlite``, outside the store's folder so that the
    store's checkpoints, which several-process servers serve, share it); ``None`` for any other
    store (in memory nothing outlives the process; on a remote store other clients may write
    around ``kg``, so nothing could keep a projection of it up to date).

    >>> [str(projection_path(s)) for s in ("oxigraph:var/store", "oxigraph", "sparql:http://h/q")]
    ['var/store.projection.sqlite', 'None', 'None']
    """
    if not (is_persistent(spec) and is_private(spec)):
        return None
    return Path(spec.partition(":")[2] + ".projection.sqlite")


class ProjectionError(Exception):
    """The projection file cannot be opened or read; the message says which file and why."""


class Projection:
    """The versioned rows of one store's projection, in the SQLite file at ``path``
    (each thread has its own connection to it).

    Args:
        path: the file; created with its folder if missing.
        format: the format of the bodies the caller reads and writes (:data:`FORMAT`); a file
            holding another is emptied. ``None`` for a caller that only registers generations
            (the write path), which leaves the bodies as they are.
    """

    def __init__(self, path: Path | str, format: str | None = FORMAT) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            if format is not None:
                self._start(format)
        except sqlite3.Error as error:
            raise ProjectionError(f"projection {self.path}: {error}") from error

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection to the file (a connection serves the thread that made it)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _start(self, format: str) -> None:
        """Empty the file if it holds another format than ``format``, then record it."""
        with self._transaction():
            found = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is not None and found[0] == format:
                return
            self._db.execute("DELETE FROM row")
            self._db.execute("DELETE FROM generation")
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", (format,)
            )

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # Generations ---------------------------------------------------------------------------

    def sequence_of(self, generation: str) -> int | None:
        """The sequence number of ``generation``, or ``None`` if nobody registered it."""
        found = self._db.execute(
            "SELECT sequence FROM generation WHERE generation = ?", (generation,)
        ).fetchone()
        return None if found is None else int(found[0])

    def register(self, generation: str, changed: Iterable[str] | None) -> int:
        """Give ``generation`` the next sequence number, marking ``changed`` trials as changed
        in it (``None``: everything may have changed); its number if it had one already.

        Call it before the store commits the generation (see the module docstring)."""
        trials = None if changed is None else sorted(set(changed))
        with self._transaction():
            known = self.sequence_of(generation)
            if known is not None:
                return known
            last = self._db.execute("SELECT MAX(sequence) FROM generation").fetchone()[0]
            sequence = 1 if last is None else int(last) + 1
            self._db.execute(
                "INSERT INTO generation (generation, sequence, everything) VALUES (?, ?, ?)",
                (generation, sequence, int(trials is None)),
            )
            if trials:
                self._db.executemany(
                    "INSERT OR REPLACE INTO row (trial, sequence, body) VALUES (?, ?, NULL)",
                    [(trial, sequence) for trial in trials],
                )
        return sequence

    def _everything_since(self, sequence: int) -> int:
        """The latest everything-changed mark at or below ``sequence`` (0 for none)."""
        found = self._db.execute(
            "SELECT MAX(sequence) FROM generation WHERE everything = 1 AND sequence <= ?",
            (sequence,),
        ).fetchone()[0]
        return 0 if found is None else int(found)

    # Rows ----------------------------------------------------------------------------------

    def put(self, sequence: int, bodies: Mapping[str, bytes]) -> None:
        """Keep ``bodies`` (trial -> what was read of it) as read from a snapshot at
        ``sequence``."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO row (trial, sequence, body) VALUES (?, ?, ?)",
                [(trial, sequence, body) for trial, body in bodies.items()],
            )

    def read(self, sequence: int, trials: Sequence[str]) -> dict[str, bytes]:
        """The bodies a reader at ``sequence`` sees for ``trials`` (trials without one are
        absent): each trial's row with the highest sequence at or below ``sequence``, unless it
        is a marker or an everything-changed mark hides it."""
        floor = self._everything_since(sequence)
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(trials))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"""
                SELECT r.trial, r.body FROM row r
                JOIN (SELECT trial, MAX(sequence) AS latest FROM row
                      WHERE trial IN ({marks}) AND sequence <= ? GROUP BY trial) l
                  ON r.trial = l.trial AND r.sequence = l.latest
                WHERE r.body IS NOT NULL AND r.sequence >= ?
                """,
                (*chunk, sequence, floor),
            )
            found.update((trial, bytes(body)) for trial, body in rows)
        return found

    def missing(self, sequence: int, trials: Sequence[str]) -> list[str]:
        """Those of ``trials`` a reader at ``sequence`` sees no body for, in the given order:
        what a builder reading a snapshot at ``sequence`` should put."""
        present = self.read(sequence, trials)
        return [trial for trial in dict.fromkeys(trials) if trial not in present]

    def pending(self, since: int, sequence: int) -> list[str] | None:
        """The trials marked changed after ``since`` up to ``sequence``: what a builder that
        completed ``since`` must read again for ``sequence``; ``None`` when an everything-changed
        mark lies between (then every trial)."""
        if self._everything_since(sequence) > since:
            return None
        rows = self._db.execute(
            "SELECT DISTINCT trial FROM row WHERE sequence > ? AND sequence <= ? ORDER BY trial",
            (since, sequence),
        )
        return [trial for (trial,) in rows]

    def complete(self) -> int | None:
        """The latest sequence a builder completed (:meth:`mark_complete`), if any."""
        found = self._db.execute("SELECT value FROM meta WHERE key = 'complete'").fetchone()
        return None if found is None else int(found[0])

    def mark_complete(self, sequence: int) -> None:
        """Record that every trial of ``sequence`` has its body (a builder's pass finished)."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('complete', ?)", (str(sequence),)
            )

    def prune(self, oldest: int, trials: Sequence[str] | None = None) -> int:
        """Forget what no reader at ``oldest`` or later can see: rows below the latest
        everything-changed mark at or below ``oldest``, and each trial's rows older than its
        latest at or below ``oldest``; only ``trials``' rows when given (the trials a pass
        rebuilt: a full scan of every row took 2.6 s at 100,000 trials). How many rows went."""
        with self._transaction():
            floor = self._everything_since(oldest)
            gone = self._db.execute("DELETE FROM row WHERE sequence < ?", (floor,)).rowcount
            shadowed = """
                DELETE FROM row WHERE {only} EXISTS (
                    SELECT 1 FROM row newer
                    WHERE newer.trial = row.trial
                      AND newer.sequence > row.sequence AND newer.sequence <= ?
                )
            """
            if trials is None:
                gone += self._db.execute(shadowed.format(only=""), (oldest,)).rowcount
            else:
                unique = list(dict.fromkeys(trials))
                for start in range(0, len(unique), _CHUNK):
                    chunk = unique[start : start + _CHUNK]
                    only = f"trial IN ({','.join('?' * len(chunk))}) AND"
                    gone += self._db.execute(shadowed.format(only=only), (*chunk, oldest)).rowcount
        return int(gone)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error): one writer at a time across
    processes, and readers never see half a change."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
