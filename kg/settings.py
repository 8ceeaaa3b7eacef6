"""One settings object for the whole project, read from ``KG_*`` environment variables.

Why one object: the CLI, the build and the HTTP app must agree on the base IRI, the store and the
limits; passing one frozen value around beats each module reading the environment on its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from kg.vocab import DEFAULT_BASE_IRI

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (or, once installed, site-packages) this package was imported from."""


def _resource_root() -> Path:
    """Where ``ontology/`` and ``data/`` are: the checkout, or ``share/evidence-kg`` once installed.

    Why both: developers run from a checkout (editable install), while users of the pre-commit
    hook or ``pip install`` get the files as data files of the wheel under ``{prefix}/share``.
    """
    if (PROJECT_ROOT / "ontology" / "evidence.ttl").is_file():
        return PROJECT_ROOT
    return Path(sys.prefix) / "share" / "evidence-kg"


RESOURCE_ROOT = _resource_root()
"""The folder holding ``ontology/`` and ``data/``."""


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _origins(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """CORS origins: unset gives ``default``; ``off``, ``none`` or empty gives none.

    >>> _origins(None, ("*",)), _origins("off", ("*",)), _origins("https://a.org, https://b.org", ())
    (('*',), (), ('https://a.org', 'https://b.org'))
    """
    if value is None:
        return default
    if value.strip().lower() in ("", "off", "none"):
        return ()
    return _split(value)


def _flag(value: str | None, default: bool) -> bool:
    """An on/off variable: ``1/true/yes/on`` or ``0/false/no/off`` (any case); unset: default.

    >>> _flag("off", True), _flag("Yes", False), _flag(None, True)
    (False, True, True)
    """
    if value is None or not value.strip():
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected on or off, got {value!r}")


CURATED_SUFFIXES = (".ttl", ".yaml", ".yml", ".json")
"""Files in ``data/`` that are curated trials: Turtle, or trial records (YAML, JSON)."""


@dataclass(frozen=True)
class Settings:
    """Configuration; every field has a working default for a fresh checkout."""

    base_iri: str = DEFAULT_BASE_IRI
    """Base for the IRIs the graph mints; curated data uses IRIs relative to it."""
    store: str = "oxigraph"
    """Backend spec for :func:`kg.store.open_store`: ``oxigraph``, ``oxigraph:PATH`` or ``memory``."""
    data_files: tuple[Path, ...] = ()
    """Curated RDF to load; empty means every ``*.ttl`` in ``data/``."""
    ontology_dir: Path = RESOURCE_ROOT / "ontology"
    data_dir: Path = RESOURCE_ROOT / "data"
    max_input_bytes: int = 50 * 1024 * 1024
    """Inputs larger than this are refused before parsing."""
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ("*",)
    """Origins whose browser apps may read this API (CORS); every origin by default, since
    everything served is public and read-only; ``KG_CORS_ORIGINS=off`` (or empty) turns CORS
    off, a comma-separated list allows only those origins."""
    max_body_bytes: int = 64 * 1024
    """Largest HTTP request body accepted (GraphQL and SPARQL POST)."""
    query_timeout_seconds: float = 5.0
    """Wall-clock limit for one SPARQL query or GraphQL request."""
    max_result_rows: int = 10_000
    """Cap on SPARQL result rows (or triples)."""
    sparql_workers: int = 2
    """Worker processes that evaluate SPARQL queries (killable on timeout)."""
    workers: int = 1
    """HTTP server processes (``kg serve``); over 1, they share one listening socket and read an
    on-disk store through a read-only snapshot, while the parent process keeps the store's lock."""
    access_log: bool = True
    """One log line per request; off saves a measurable share of CPU under heavy load."""
    graphql_cache_size: int = 0
    """GraphQL responses kept per server process (0: no cache); see :mod:`api.graphql_cache`."""
    projection: bool = True
    """Keep a read projection beside an embedded store on disk (``KG_PROJECTION``): per study,
    the facets the listings read and the document of what GraphQL reads of it, built beside
    serving (:mod:`kg.projection`). Off saves its disk (about 25 KB a trial) and the CPU of
    building it, and listings and pages read the store instead."""
    generation_check_seconds: float = 1.0
    """How often a server looks for a data generation moved around it (``KG_GENERATION_CHECK``):
    a load or import into a shared remote store is served at most this long after it lands.
    One small query per interval rather than one per request (:mod:`kg.served`); 0 checks
    before every request."""
    tokens_file: Path | None = None
    """Where the hashes of write tokens are kept (``KG_TOKENS_FILE``; ``kg token create``). With
    none configured, or no token in it, the server takes no writes."""
    max_record_bytes: int = 4 * 1024 * 1024
    """Largest request body a write may send (``KG_MAX_RECORD_BYTES``): a registry record with
    results runs to hundreds of kilobytes. Larger bodies get 413; queries keep max_body_bytes."""
    store_snapshot: Path | None = None
    """Internal: the read-only snapshot a server process serves (set by ``kg serve`` for its
    worker processes, never by users)."""
    write_channel: Path | None = None
    """Internal: where a worker process sends writes (``kg serve`` with several processes)."""
    snapshot_pointer: Path | None = None
    """Internal: the file naming the newest snapshot a worker process should serve."""

    def to_env(self) -> dict[str, str]:
        """The ``KG_*`` variables :meth:`from_env` reads back into these settings (the folders of
        the ontology and data are not settings of the environment and are not included)."""
        env = {
            "KG_BASE_IRI": self.base_iri,
            "KG_STORE": self.store,
            "KG_DATA": ",".join(str(p) for p in self.data_files),
            "KG_HOST": self.host,
            "KG_PORT": str(self.port),
            "KG_CORS_ORIGINS": ",".join(self.cors_origins) or "off",
            "KG_MAX_BODY_BYTES": str(self.max_body_bytes),
            "KG_QUERY_TIMEOUT": repr(self.query_timeout_seconds),
            "KG_MAX_RESULT_ROWS": str(self.max_result_rows),
            "KG_SPARQL_WORKERS": str(self.sparql_workers),
            "KG_WORKERS": str(self.workers),
            "KG_ACCESS_LOG": "1" if self.access_log else "0",
            "KG_GRAPHQL_CACHE": str(self.graphql_cache_size),
            "KG_PROJECTION": "1" if self.projection else "0",
            "KG_MAX_RECORD_BYTES": str(self.max_record_bytes),
            "KG_GENERATION_CHECK": repr(self.generation_check_seconds),
        }
        if self.tokens_file is not None:
            env["KG_TOKENS_FILE"] = str(self.tokens_file)
        if self.store_snapshot is not None:
            env["KG_STORE_SNAPSHOT"] = str(self.store_snapshot)
        if self.write_channel is not None:
            env["KG_WRITE_CHANNEL"] = str(self.write_channel)
        if self.snapshot_pointer is not None:
            env["KG_SNAPSHOT_POINTER"] = str(self.snapshot_pointer)
        return env

    @property
    def ontology_path(self) -> Path:
        return self.ontology_dir / "evidence.ttl"

    @property
    def curated_paths(self) -> tuple[Path, ...]:
        """The curated trials: ``KG_DATA``'s files, else every RDF file and trial record in
        ``data/`` (``*.ttl``, ``*.yaml``, ``*.yml``, ``*.json``)."""
        if self.data_files:
            return self.data_files
        found = [p for suffix in CURATED_SUFFIXES for p in self.data_dir.glob(f"*{suffix}")]
        return tuple(sorted(found))

    @property
    def reference_paths(self) -> tuple[Path, ...]:
        """Shared reference data (drugs, conditions, journals): ``data/reference/*.ttl``. Built
        with the curated trials whichever trial files ``KG_DATA`` names, since every trial
        points into it."""
        return tuple(sorted((self.data_dir / "reference").glob("*.ttl")))

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (CLI options override the environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``KG_BASE_IRI``, ``KG_STORE``, ``KG_DATA`` (comma-separated files), the limits,
        and the serving options (``KG_WORKERS``, ``KG_ACCESS_LOG``, ``KG_GRAPHQL_CACHE``)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            base_iri=env.get("KG_BASE_IRI", defaults.base_iri),
            store=env.get("KG_STORE", defaults.store),
            data_files=tuple(Path(p) for p in _split(env.get("KG_DATA", ""))),
            host=env.get("KG_HOST", defaults.host),
            port=int(env.get("KG_PORT", defaults.port)),
            cors_origins=_origins(env.get("KG_CORS_ORIGINS"), defaults.cors_origins),
            max_body_bytes=int(env.get("KG_MAX_BODY_BYTES", defaults.max_body_bytes)),
            query_timeout_seconds=float(
                env.get("KG_QUERY_TIMEOUT", defaults.query_timeout_seconds)
            ),
            max_result_rows=int(env.get("KG_MAX_RESULT_ROWS", defaults.max_result_rows)),
            sparql_workers=int(env.get("KG_SPARQL_WORKERS", defaults.sparql_workers)),
            workers=int(env.get("KG_WORKERS", defaults.workers)),
            access_log=_flag(env.get("KG_ACCESS_LOG"), defaults.access_log),
            graphql_cache_size=int(env.get("KG_GRAPHQL_CACHE", defaults.graphql_cache_size)),
            projection=_flag(env.get("KG_PROJECTION"), defaults.projection),
            generation_check_seconds=float(
                env.get("KG_GENERATION_CHECK", defaults.generation_check_seconds)
            ),
            tokens_file=Path(env["KG_TOKENS_FILE"]) if env.get("KG_TOKENS_FILE") else None,
            max_record_bytes=int(env.get("KG_MAX_RECORD_BYTES", defaults.max_record_bytes)),
            store_snapshot=Path(env["KG_STORE_SNAPSHOT"]) if env.get("KG_STORE_SNAPSHOT") else None,
            write_channel=Path(env["KG_WRITE_CHANNEL"]) if env.get("KG_WRITE_CHANNEL") else None,
            snapshot_pointer=(
                Path(env["KG_SNAPSHOT_POINTER"]) if env.get("KG_SNAPSHOT_POINTER") else None
            ),
        )
