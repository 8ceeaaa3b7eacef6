"""A read projection beside an embedded store: per study and data generation, its facets and
its document.

Why: the store cannot serve listings or never-read pages fast at scale. It finds, sorts and
counts every match of a listing before cutting a page (1.3 s at 100,000 trials; its text filter
and its search of names given in another case, which it cannot index, 8 and 10 s). And a
50-trial page no request has read yet costs about 1,100 reads by key (196 ms there, 73% of it in
the store, which decodes each term it returns at 5-20 us). So each study's *facets*
(:mod:`kg.facets`: what the listings filter, sort and look up) and its *document* (what the
shipped listings read of it: :mod:`api.graphql.documents`) are kept in a file of their own.
Listings become indexed SQL (:class:`kg.facet_index.Facets`) and a page fetches its documents. The file is kept
up to date by the write path and rebuilt beside serving.

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

from kg.facet_index import Facets
from kg.facets import StudyFacets
from kg.settings import Settings
from kg.store import is_persistent, is_private

LAYOUT = "3"
"""The layout of the file's tables; part of :data:`FORMAT`."""


def _format() -> str:
    """A digest of the file's layout and of the code and queries whose answers the rows hold
    (the read model, the facets): a row read by other code may hold other values, so it is not
    kept."""
    digest = hashlib.sha256(LAYOUT.encode())
    package = resources.files("kg")
    readmodel = package.joinpath("readmodel")
    queries = package.joinpath("queries").joinpath("readmodel")
    sources = sorted(
        [package.joinpath("facets.py")]
        + [f for f in readmodel.iterdir() if f.name.endswith(".py")]
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

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
"""What the file's format is recorded in: the one table a change of format keeps."""

_SCHEMA = """
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
CREATE TABLE IF NOT EXISTS facet_pass (sequence INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS study (
    study TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    key TEXT,
    names TEXT,
    PRIMARY KEY (study, sequence)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS study_order ON study (key, study);
CREATE TABLE IF NOT EXISTS study_term (
    study TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL, term TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS study_term_of ON study_term (study, sequence, kind, term);
CREATE INDEX IF NOT EXISTS study_term_by ON study_term (kind, term);
CREATE TABLE IF NOT EXISTS study_identifier (
    identifier TEXT NOT NULL, study TEXT NOT NULL, sequence INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS study_identifier_by ON study_identifier (identifier, study);
CREATE INDEX IF NOT EXISTS study_identifier_of ON study_identifier (study, sequence);
CREATE TABLE IF NOT EXISTS comparison (
    comparison TEXT NOT NULL, study TEXT NOT NULL, sequence INTEGER NOT NULL,
    PRIMARY KEY (comparison, study, sequence)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS comparison_of ON comparison (study, sequence);
CREATE TABLE IF NOT EXISTS comparison_term (
    comparison TEXT NOT NULL, study TEXT NOT NULL, sequence INTEGER NOT NULL,
    kind TEXT NOT NULL, term TEXT, number REAL
);
CREATE INDEX IF NOT EXISTS comparison_term_of ON comparison_term (comparison, sequence, kind);
CREATE INDEX IF NOT EXISTS comparison_term_by ON comparison_term (kind, term);
CREATE INDEX IF NOT EXISTS comparison_term_study ON comparison_term (study, sequence);
"""

FACET_TABLES = ("study", "study_term", "study_identifier", "comparison", "comparison_term")
"""The tables of facets (:mod:`kg.facets`), each row stamped with its study and sequence."""

_CHUNK = 500
"""Trials per query: SQLite allows 32,766 parameters; smaller batches keep each query quick."""


def _chunks(items: Iterable[str]) -> list[list[str]]:
    """``items``, each once, in lists of at most :data:`_CHUNK`.

    >>> [len(chunk) for chunk in _chunks(str(n) for n in [*range(1001), 0])]
    [500, 500, 1]
    """
    unique = list(dict.fromkeys(items))
    return [unique[start : start + _CHUNK] for start in range(0, len(unique), _CHUNK)]


def _marks(chunk: Sequence[str]) -> str:
    """As many ``?`` as ``chunk`` has items, comma-separated: an IN list's parameters."""
    return ",".join("?" * len(chunk))


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


def configured_path(settings: Settings) -> Path | None:
    """The projection ``settings`` keep (``KG_PROJECTION``, on by default) beside their store,
    if it can have one (:func:`projection_path`). Off, nothing opens the file: once turned on
    again, the first generation it has not heard of is registered as one where everything
    changed, so nothing written meanwhile is missed."""
    return projection_path(settings.store) if settings.projection else None


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
            self._db.execute(_META)
            if format is not None:
                self._start(format)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise ProjectionError(f"projection {self.path}: {error}") from error

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection to the file (a connection serves the thread that made it)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # Used by the thread that made it only; closed by whichever thread closes the
            # projection (check_same_thread would refuse that).
            connection = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _start(self, format: str) -> None:
        """Start the file afresh if it holds another format than ``format``, then record it:
        every table but ``meta`` is dropped, and made again from the schema by the caller.
        Emptying them would keep an older layout's definitions (a table's columns, its key).
        The space they held is then given back (best effort: another process reading the file
        keeps it, and the new rows reuse it instead, scattered)."""
        with self._transaction():
            found = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is not None and found[0] == format:
                return
            tables = self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
                " AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for (table,) in tables:
                self._db.execute(f'DROP TABLE "{table}"')
            self._db.execute("DELETE FROM meta")
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", (format,)
            )
        try:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:  # busy: another process has the file open
            pass

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
        for chunk in _chunks(trials):
            rows = self._db.execute(
                f"""
                SELECT r.trial, r.body FROM row r
                JOIN (SELECT trial, MAX(sequence) AS latest FROM row
                      WHERE trial IN ({_marks(chunk)}) AND sequence <= ? GROUP BY trial) l
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
        """Forget what no reader at ``oldest`` or later can see: rows and facets below the
        latest everything-changed mark at or below ``oldest``, and each trial's older than its
        latest at or below ``oldest``; only ``trials``' when given (the trials a pass rebuilt: a
        full scan of every row took 2.6 s at 100,000 trials). How many rows went."""
        # One pass over every row (None), or one per chunk of the trials named.
        chunks: list[list[str] | None] = [None] if trials is None else [*_chunks(trials)]
        gone = 0
        with self._transaction():
            floor = self._everything_since(oldest)
            self._db.execute("DELETE FROM facet_pass WHERE sequence < ?", (floor,))
            for table, column in (("row", "trial"), ("study", "study")):
                gone += self._db.execute(
                    f"DELETE FROM {table} WHERE sequence < ?", (floor,)
                ).rowcount
                for chunk in chunks:
                    only = "" if chunk is None else f"{column} IN ({_marks(chunk)}) AND"
                    gone += self._db.execute(
                        f"""
                        DELETE FROM {table} WHERE {only} EXISTS (
                            SELECT 1 FROM {table} newer
                            WHERE newer.{column} = {table}.{column}
                              AND newer.sequence > {table}.sequence AND newer.sequence <= ?
                        )
                        """,
                        (*(chunk or ()), oldest),
                    ).rowcount
            for table in FACET_TABLES[1:]:
                for chunk in chunks:
                    only = "" if chunk is None else f"study IN ({_marks(chunk)}) AND"
                    self._db.execute(
                        f"""
                        DELETE FROM {table} WHERE {only} NOT EXISTS (
                            SELECT 1 FROM study kept
                            WHERE kept.study = {table}.study AND kept.sequence = {table}.sequence
                        )
                        """,
                        tuple(chunk or ()),
                    )
        return int(gone)


    # Facets ---------------------------------------------------------------------------------

    def put_facets(self, sequence: int, facets: Mapping[str, StudyFacets]) -> None:
        """Keep each study's ``facets`` as read from a snapshot at ``sequence`` (a study the
        snapshot does not hold has empty facets: they hide its older rows)."""
        with self._transaction():
            for chunk in _chunks(facets):
                for table in FACET_TABLES:
                    self._db.execute(
                        f"DELETE FROM {table} WHERE study IN ({_marks(chunk)}) AND sequence = ?",
                        (*chunk, sequence),
                    )
            db = self._db
            db.executemany(
                "INSERT INTO study (study, sequence, key, names) VALUES (?, ?, ?, ?)",
                [
                    (study, sequence, f.key, f.joined_names)
                    for study, f in facets.items()
                ],
            )
            db.executemany(
                "INSERT INTO study_term (study, sequence, kind, term) VALUES (?, ?, ?, ?)",
                [
                    (study, sequence, kind, term)
                    for study, f in facets.items()
                    for kind, term in sorted(f.terms)
                ],
            )
            db.executemany(
                "INSERT INTO study_identifier (identifier, study, sequence) VALUES (?, ?, ?)",
                [
                    (identifier, study, sequence)
                    for study, f in facets.items()
                    for identifier in sorted(f.identifiers)
                ],
            )
            db.executemany(
                "INSERT INTO comparison (comparison, study, sequence) VALUES (?, ?, ?)",
                [
                    (comparison, study, sequence)
                    for study, f in facets.items()
                    for comparison in f.comparisons
                ],
            )
            db.executemany(
                "INSERT INTO comparison_term (comparison, study, sequence, kind, term, number)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (comparison, study, sequence, kind, term, number)
                    for study, f in facets.items()
                    for comparison, terms in f.comparisons.items()
                    for kind, term, number in terms
                ],
            )

    def facets_ready(self, sequence: int) -> bool:
        """Whether every study's facets were put for readers at ``sequence`` (a builder's pass
        completed there, :meth:`mark_facets`)."""
        found = self._db.execute(
            "SELECT 1 FROM facet_pass WHERE sequence = ?", (sequence,)
        ).fetchone()
        return found is not None

    def facets_complete(self) -> int | None:
        """The latest sequence whose facets a pass completed, if any."""
        found = self._db.execute("SELECT MAX(sequence) FROM facet_pass").fetchone()[0]
        return None if found is None else int(found)

    def mark_facets(self, sequence: int) -> None:
        """Record that a pass put the facets of every study changed up to ``sequence``."""
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO facet_pass (sequence) VALUES (?)", (sequence,))

    def facets_at(self, sequence: int) -> Facets:
        """The listings readers at ``sequence`` answer from the facets (call
        :meth:`facets_ready` first)."""
        return Facets(self, sequence, self._everything_since(sequence))

    def query(self, sql: str, parameters: Mapping[str, object]) -> list[tuple[object, ...]]:
        """The rows of one read of the file (:class:`kg.facet_index.Facets`)."""
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise ProjectionError(f"projection {self.path}: {error}") from error


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error): one writer at a time across
    processes, and readers never see half a change."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
