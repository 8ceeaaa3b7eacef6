"""One settings object for the whole project, read from ``KG_*`` environment variables.

Why one object: the CLI, the build and the HTTP app must agree on the base IRI, the store and the
limits; passing one frozen value around beats each module reading the environment on its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    max_body_bytes: int = 64 * 1024
    """Largest HTTP request body accepted (GraphQL and SPARQL POST)."""
    query_timeout_seconds: float = 5.0
    """Wall-clock limit for one SPARQL query or GraphQL request."""
    max_result_rows: int = 10_000
    """Cap on SPARQL result rows (or triples)."""
    sparql_workers: int = 2
    """Worker processes that evaluate SPARQL queries (killable on timeout)."""

    @property
    def ontology_path(self) -> Path:
        return self.ontology_dir / "evidence.ttl"

    @property
    def curated_paths(self) -> tuple[Path, ...]:
        return self.data_files or tuple(sorted(self.data_dir.glob("*.ttl")))

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (CLI options override the environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``KG_BASE_IRI``, ``KG_STORE``, ``KG_DATA`` (comma-separated files) and the limits."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            base_iri=env.get("KG_BASE_IRI", defaults.base_iri),
            store=env.get("KG_STORE", defaults.store),
            data_files=tuple(Path(p) for p in _split(env.get("KG_DATA", ""))),
            host=env.get("KG_HOST", defaults.host),
            port=int(env.get("KG_PORT", defaults.port)),
            cors_origins=_split(env.get("KG_CORS_ORIGINS", "")),
            max_body_bytes=int(env.get("KG_MAX_BODY_BYTES", defaults.max_body_bytes)),
            query_timeout_seconds=float(
                env.get("KG_QUERY_TIMEOUT", defaults.query_timeout_seconds)
            ),
            max_result_rows=int(env.get("KG_MAX_RESULT_ROWS", defaults.max_result_rows)),
            sparql_workers=int(env.get("KG_SPARQL_WORKERS", defaults.sparql_workers)),
        )
