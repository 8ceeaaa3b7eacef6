"""The rdflib backend answers threads that query it at once, from a cold start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

COLD_START_RACE = """
import threading
from kg.stores.memory import MemoryStore
store = MemoryStore()
errors = []
barrier = threading.Barrier(8)
def query():
    barrier.wait()
    try:
        store.query(
            "PREFIX ex: <http://e/> SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o "
            "OPTIONAL { ?s ex:p ?x } FILTER(?o > 1) } GROUP BY ?s ORDER BY ?s LIMIT 3"
        )
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=query) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors[0] if errors else "ok")
"""


def test_concurrent_first_queries_do_not_break_the_sparql_parser() -> None:
    """Regression: eight threads querying a fresh rdflib store at once made pyparsing learn its
    parse actions wrong, and every later parse in the process failed with "postParse2() missing
    1 required positional argument" (seen in CI through GraphQL over the rdflib backend). Needs
    a fresh interpreter: once anything has parsed SPARQL, the race cannot happen any more."""
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", COLD_START_RACE], capture_output=True, text=True, cwd=root, check=True
    )
    assert done.stdout.strip() == "ok", done.stdout + done.stderr
