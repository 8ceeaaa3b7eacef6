"""The projection's versioned rows: each reader sees the trials as of its own generation, however
writes, builds and loads interleave, in one process or several."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from kg.projection import Projection, ProjectionError

T1, T2, T3 = "urn:test:trial/1", "urn:test:trial/2", "urn:test:trial/3"


@pytest.fixture
def projection(tmp_path: Path) -> Projection:
    return Projection(tmp_path / "projection.sqlite")


def test_a_generation_gets_the_next_sequence_once(projection: Projection) -> None:
    assert projection.sequence_of("g1") is None
    assert projection.register("g1", None) == 1
    assert projection.register("g2", [T1]) == 2
    assert projection.register("g1", [T2]) == 1, "registered already: its number, no markers"
    assert projection.read(1, [T2]) == {}


def test_a_reader_sees_rows_up_to_its_own_sequence(projection: Projection) -> None:
    first = projection.register("g1", None)
    projection.put(first, {T1: b"t1 at 1", T2: b"t2 at 1"})
    second = projection.register("g2", [T1])  # a write replaced T1
    assert projection.read(first, [T1, T2]) == {T1: b"t1 at 1", T2: b"t2 at 1"}
    assert projection.read(second, [T1, T2]) == {T2: b"t2 at 1"}, "T1's marker hides it"
    assert projection.missing(second, [T1, T2, T3]) == [T1, T3]
    projection.put(second, {T1: b"t1 at 2"})  # the builder read T1 anew
    assert projection.read(second, [T1]) == {T1: b"t1 at 2"}
    assert projection.read(first, [T1]) == {T1: b"t1 at 1"}, "an older snapshot keeps its own"


def test_a_build_racing_a_write_never_shows_a_stale_row(projection: Projection) -> None:
    """The builder read T1 from a snapshot at 1; meanwhile a write replaced T1 (2). Whenever the
    builder's row lands, readers at 2 see no T1 until it is built from a snapshot at 2."""
    first = projection.register("g1", None)
    second = projection.register("g2", [T1])
    projection.put(first, {T1: b"t1 at 1"})
    assert projection.read(second, [T1]) == {}
    assert projection.read(first, [T1]) == {T1: b"t1 at 1"}


def test_everything_changed_hides_every_older_row(projection: Projection) -> None:
    first = projection.register("g1", None)
    projection.put(first, {T1: b"t1", T2: b"t2"})
    loaded = projection.register("after a load", None)
    assert projection.read(loaded, [T1, T2]) == {}
    assert projection.read(first, [T1, T2]) == {T1: b"t1", T2: b"t2"}
    projection.put(loaded, {T2: b"t2 again"})
    assert projection.read(loaded, [T1, T2]) == {T2: b"t2 again"}


def test_pruning_keeps_what_current_readers_see(projection: Projection) -> None:
    one = projection.register("g1", None)
    projection.put(one, {T1: b"a", T2: b"b", T3: b"c"})
    two = projection.register("g2", [T1])
    projection.put(two, {T1: b"a2"})
    three = projection.register("g3", [T2])
    before = {s: projection.read(s, [T1, T2, T3]) for s in (two, three)}
    assert projection.prune(two) == 1, "T1's row at 1 is hidden for every reader from 2 on"
    assert {s: projection.read(s, [T1, T2, T3]) for s in (two, three)} == before
    four = projection.register("load", None)
    projection.put(four, {T3: b"c4"})
    assert projection.prune(four) == 4, "everything below the load's mark goes"
    assert projection.read(four, [T1, T2, T3]) == {T3: b"c4"}


def test_a_file_of_another_format_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "projection.sqlite"
    old = Projection(path, format="0")
    old.put(old.register("g1", None), {T1: b"old layout"})
    old.close()
    assert Projection(path, format="0").read(1, [T1]) == {T1: b"old layout"}
    new = Projection(path, format="1")
    assert new.sequence_of("g1") is None and new.read(1, [T1]) == {}


def test_a_file_of_another_layout_gets_this_layout_s_tables(tmp_path: Path) -> None:
    """A format change may define a table differently (its columns, its key): the file gets
    the new definitions, not only emptied tables of the old ones."""
    path = tmp_path / "projection.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('format', 'an older layout')")
        db.execute("CREATE TABLE row (trial TEXT PRIMARY KEY, body BLOB, note TEXT)")
        db.execute("CREATE TABLE study_term (study TEXT, term TEXT)")  # no kind: its index fails
        db.execute("INSERT INTO row VALUES (?, x'00', 'old')", (T1,))
        db.commit()
    projection = Projection(path)
    columns = {
        table: [column for _, column, *_ in projection._db.execute(f"PRAGMA table_info({table})")]
        for table in ("row", "study_term")
    }
    assert columns == {
        "row": ["trial", "sequence", "body"],
        "study_term": ["study", "sequence", "kind", "term"],
    }
    sequence = projection.register("g1", None)
    projection.put(sequence, {T1: b"new"})
    assert projection.read(sequence, [T1]) == {T1: b"new"}
    projection.close()


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "projection.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(ProjectionError, match=str(path)):
        Projection(path)


def _writer(path: str, start: int, count: int) -> None:
    projection = Projection(path)
    for n in range(start, start + count):
        sequence = projection.register(f"g{n}", [T1])
        projection.put(sequence, {T1: f"t1 at {sequence}".encode()})
    projection.close()


def test_processes_writing_at_once_leave_one_consistent_history(tmp_path: Path) -> None:
    """Two processes register and put at once (the write path and a builder, say): every
    generation gets its own number, and each sequence reads its own row."""
    path = str(tmp_path / "projection.sqlite")
    Projection(path).close()
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(path, s, 20)) for s in (0, 100)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    projection = Projection(path)
    numbers = [projection.sequence_of(f"g{n}") for n in (*range(20), *range(100, 120))]
    assert sorted(n for n in numbers if n is not None) == list(range(1, 41))
    for sequence in range(1, 41):
        assert projection.read(sequence, [T1]) == {T1: f"t1 at {sequence}".encode()}


def test_a_builder_learns_what_changed_since_its_last_complete_pass(projection: Projection) -> None:
    first = projection.register("g1", None)
    projection.put(first, {T1: b"1", T2: b"2"})
    projection.mark_complete(first)
    assert projection.complete() == first
    projection.register("g2", [T1])
    third = projection.register("g3", [T3])
    assert projection.pending(first, third) == [T1, T3], "both writes since the last pass"
    assert projection.pending(third, third) == []
    loaded = projection.register("after a load", None)
    assert projection.pending(first, loaded) is None, "a load: every trial"


def test_pruning_some_trials_leaves_the_others(projection: Projection) -> None:
    one = projection.register("g1", None)
    projection.put(one, {T1: b"a", T2: b"b"})
    two = projection.register("g2", [T1, T2])
    projection.put(two, {T1: b"a2", T2: b"b2"})
    assert projection.prune(two, [T1]) == 1
    assert projection.read(one, [T1, T2]) == {T2: b"b"}, "T1's old row went, T2's stayed"
    assert projection.read(two, [T1, T2]) == {T1: b"a2", T2: b"b2"}
