"""The ``kg`` subcommands that need the web app: ``kg serve`` and ``kg export-schema``.

Why here and not in :mod:`kg.cli`: ``kg`` must know nothing of ``api`` (data flows kg -> store ->
api). These commands are registered through the ``kg.commands`` entry points in
``pyproject.toml``, which ``kg`` discovers when it builds its parser. Importing this module costs
nothing of the web stack: the server and the schema are imported when a command runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from kg.cli import EXIT_OK, SERVE_DEFAULT_STORE, Command, positive_count, write_text
from kg.settings import Settings
from kg.store import is_private

SERVE_DEFAULT_GRAPHQL_CACHE = 1024
"""GraphQL answers ``kg serve`` keeps per process on an embedded store (see serve_settings)."""


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="interface to bind (KG_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port to bind (KG_PORT)")
    parser.add_argument(
        "--workers",
        type=positive_count,
        default=None,
        metavar="N",
        help="server processes (KG_WORKERS)",
    )
    parser.add_argument(
        "--graphql-cache",
        type=int,
        default=None,
        metavar="N",
        help="GraphQL answers kept per process, 0 for none (KG_GRAPHQL_CACHE; default "
        f"{SERVE_DEFAULT_GRAPHQL_CACHE} on an embedded store, 0 on a remote one)",
    )


def serve_settings(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str]
) -> Settings:
    """The server keeps its store on disk unless told otherwise: what a long-running service
    loaded (``kg load``) must survive a restart, while one-shot commands build in memory.

    On an embedded store (:func:`kg.store.is_private`) the GraphQL answer cache is on unless
    ``KG_GRAPHQL_CACHE`` says otherwise: nothing but this server can write to a store it holds
    (the single-writer lock, or memory no other process reaches), and the cache checks the data
    generation on every request. On a remote store another client could write around kg, so
    the cache stays off unless asked for.
    """
    if getattr(args, "store", None) is None and "KG_STORE" not in environ:
        settings = settings.with_overrides(store=SERVE_DEFAULT_STORE)
    if getattr(args, "graphql_cache", None) is not None:
        return settings.with_overrides(graphql_cache_size=args.graphql_cache)
    if "KG_GRAPHQL_CACHE" not in environ and is_private(settings.store):
        return settings.with_overrides(graphql_cache_size=SERVE_DEFAULT_GRAPHQL_CACHE)
    return settings


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from api.server import run

    run(serve_settings(args, settings, os.environ))
    return EXIT_OK


def export_schema_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")


def run_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from api.graphql.schema import sdl

    text = sdl()
    write_text(text if text.endswith("\n") else text + "\n", args.output)
    return EXIT_OK


SERVE = Command(
    name="serve",
    help="Serve the GraphQL, SPARQL and linked-data API (store: KG_STORE or --store; "
    f"default {SERVE_DEFAULT_STORE}, on disk, so a restart loses nothing).",
    add_arguments=serve_arguments,
    run=run_serve,
)

EXPORT_SCHEMA = Command(
    name="export-schema",
    help="Write the GraphQL schema (SDL).",
    add_arguments=export_schema_arguments,
    run=run_export_schema,
)
