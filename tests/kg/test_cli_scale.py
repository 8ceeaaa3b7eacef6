"""`kg synth` and `kg load` through a real process: output, summary line, exit codes."""

from __future__ import annotations

from pathlib import Path

from kg.store import open_store
from tests.kg.test_cli import kg_process


def quads(spec: str) -> int:
    """Count quads, releasing the on-disk store (RocksDB allows one opener) before returning."""
    store = open_store(spec)
    try:
        return len(store)
    finally:
        store.close()
        del store


def test_synth_then_load_into_an_on_disk_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.nt"
    made = kg_process("synth", "--trials", "3", "--seed", "4", "-o", str(corpus))
    assert made.returncode == 0, made.stderr
    assert "wrote 3 synthetic trials" in made.stdout
    db = tmp_path / "db"
    loaded = kg_process("load", str(corpus), "--store", f"oxigraph:{db}")
    assert loaded.returncode == 0, loaded.stderr
    assert "graph/loaded/corpus" in loaded.stdout and "triples/s" in loaded.stdout
    assert quads(f"oxigraph:{db}") == sum(1 for _ in corpus.open())


def test_load_refuses_a_store_that_vanishes_on_exit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.nt"
    kg_process("synth", "--trials", "1", "-o", str(corpus))
    refused = kg_process("load", str(corpus), "--store", "oxigraph")
    assert refused.returncode == 2
    assert "persistent store" in refused.stderr


def test_load_of_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.nt"
    refused = kg_process("load", str(missing), "--store", f"oxigraph:{tmp_path / 'db'}")
    assert refused.returncode == 2
    assert "nope.nt" in refused.stderr


def test_load_of_broken_input_fails_cleanly_and_keeps_the_store(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.nt", tmp_path / "bad.nt"
    kg_process("synth", "--trials", "1", "-o", str(good))
    bad.write_text("<urn:a> <urn:b> not rdf .\n")
    db = f"oxigraph:{tmp_path / 'db'}"
    assert kg_process("load", str(good), "--store", db, "--graph", "urn:g").returncode == 0
    before = quads(db)
    failed = kg_process("load", str(bad), "--store", db, "--graph", "urn:g")
    assert failed.returncode == 2 and "cannot load" in failed.stderr
    assert quads(db) == before


def test_synth_refuses_other_extensions(tmp_path: Path) -> None:
    refused = kg_process("synth", "--trials", "1", "-o", str(tmp_path / "x.jsonld"))
    assert refused.returncode == 2 and ".nt or .ttl" in refused.stderr
