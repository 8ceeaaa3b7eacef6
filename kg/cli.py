"""The ``kg`` console script: parses arguments, calls the library, maps outcomes to exit codes.

Why thin: everything ``kg`` does is also done by the HTTP app or by tests through the same library
functions (:func:`kg.build.build_dataset`, :func:`kg.export.export`, :mod:`kg.validate`,
:func:`kg.checks.run_checks`), so the command line cannot drift from them.

``kg`` never imports ``api``: the commands that need the web app (``serve``, ``export-schema``)
are :class:`Command` objects that ``api`` registers under the ``kg.commands`` entry points
(``pyproject.toml``), found when the parser is built (:func:`registered_commands`).

Every failure is one line on stderr, never a traceback; the exit codes are in ``kg --help``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.etree import ElementTree

from rdflib import RDF, Dataset, Graph, URIRef

from kg.build import build_dataset
from kg.checks import CheckError, render_results, run_checks
from kg.export import EXPORT_FORMATS, ExportFormat, export, union_graph
from kg.parse import InputError
from kg.settings import Settings
from kg.store import StoreError
from kg.vocab import ONTOLOGY_IRI, SCHEMA

if TYPE_CHECKING:
    from kg.outcomes import ImportSummary
    from kg.store import Store
    from kg.validate import ValidationReport
    from kg.write import WriteContext

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3

EPILOG = """\
exit codes:
  0  success: the graph conforms (warnings allowed), every check passed, the output was written
  1  the graph does not conform to the SHACL shapes (validate), or a quality check returned rows
     (check)
  2  an input could not be read or parsed (the message names the file and line), or the command
     line or settings are invalid
  3  an unexpected internal error (a bug: please report the message)

environment: KG_BASE_IRI, KG_STORE, KG_DATA (comma-separated files) and the other KG_* settings
are read first; --base-iri, --store and --data override them.
"""

IMPORT_EPILOG = """\
exit codes:
  0  every study is in the store (imported, replaced, or unchanged)
  1  the SHACL shapes refused some studies (nothing of them was written; the summary lists each
     violation with its place in the record as a JSON pointer)
  2  an input could not be read or is not a study record (the summary names the file and what is
     missing); the other inputs were still imported
  3  an unexpected internal error (a bug: please report the message)
"""

TOKEN_EPILOG = """\
exit codes:
  0  done
  1  revoke: no token has that name
  2  no tokens file configured (KG_TOKENS_FILE or --tokens-file), a file kg cannot read, a name
     already taken or not allowed
"""

VALIDATION_FORMATS = ("text", "json", "turtle", "junit")
VALIDATION_ENGINES = ("auto", "pyshacl", "store")
SERVE_DEFAULT_STORE = "oxigraph:var/store"
"""Where ``kg serve`` keeps its store when none is configured (relative to the working folder),
and so where ``kg import`` writes unless told otherwise."""
STATS_FORMATS = ("text", "json")

COMMANDS_GROUP = "kg.commands"
"""The entry point group whose objects are :class:`Command` s added to ``kg``."""


class UsageError(Exception):
    """The command line or the settings it produces cannot be used (exit 2)."""


@dataclass(frozen=True)
class Command:
    """A ``kg`` subcommand another package registers (entry point group :data:`COMMANDS_GROUP`):
    it gets the global options (``--store``, ``--base-iri``, ``--data``) like every command,
    adds its own, and is run with the settings they give; it returns an exit code, and raises
    what ``kg`` maps to the others (:class:`UsageError`, :class:`kg.store.StoreError`, ...)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], int]


def registered_commands() -> list[Command]:
    """The commands installed packages register under :data:`COMMANDS_GROUP`, by name."""
    found = []
    for entry in metadata.entry_points(group=COMMANDS_GROUP):
        command = entry.load()
        if not isinstance(command, Command):
            raise TypeError(f"entry point {entry.value} of {COMMANDS_GROUP} is not a kg Command")
        found.append(command)
    return sorted(found, key=lambda command: command.name)


# --- argument parsing ---------------------------------------------------------------------------


def _global_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    """The options every command shares; repeated on each subcommand so they can follow it.

    Why ``SUPPRESS`` on subcommands: argparse lets a subparser's defaults overwrite values the
    main parser already set, so ``kg --store memory check`` would silently lose ``--store``.
    """
    default = argparse.SUPPRESS if in_subcommand else None
    parser.add_argument(
        "--base-iri", default=default, help="base IRI the graph mints (KG_BASE_IRI)"
    )
    parser.add_argument(
        "--store", default=default, help="store: oxigraph, oxigraph:PATH or memory (KG_STORE)"
    )
    if in_subcommand:
        parser.add_argument(
            "--data",
            nargs="+",
            action="extend",
            type=Path,
            metavar="FILE",
            default=argparse.SUPPRESS,
            help="curated trials (RDF or trial records) to load instead of data/ (KG_DATA)",
        )
    else:
        parser.add_argument(
            "--data",
            action="append",
            type=Path,
            metavar="FILE",
            default=None,
            help="curated trial (RDF or trial record) to load instead of data/; repeat for several "
            "(KG_DATA)",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build, validate, check, export and serve the evidence knowledge graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _global_options(parser, in_subcommand=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, run: Callable[..., int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _global_options(sub, in_subcommand=True)
        sub.set_defaults(run=run)
        return sub

    validate = command(
        "validate",
        "Validate RDF files, or the built graph, against the SHACL shapes.",
        cmd_validate,
    )
    validate.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="RDF files to validate (with the ontology); none: the built graph",
    )
    validate.add_argument("--format", choices=VALIDATION_FORMATS, default="text")
    validate.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    validate.add_argument(
        "--from-store",
        action="store_true",
        help="validate what the persistent store (--store oxigraph:PATH or sparql:URL) holds, "
        "where it is, instead of building the graph",
    )
    validate.add_argument(
        "--engine",
        choices=VALIDATION_ENGINES,
        default="auto",
        help="pyshacl (the reference, on an rdflib copy) or store (the shapes compiled to "
        "SPARQL, run by the store; same results); auto: store with --from-store, else pyshacl",
    )
    validate.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="store engine: queries run at once (default: one per core, up to 8)",
    )

    export_cmd = command(
        "export",
        "Write the whole graph in one RDF format, or one trial as a trial record.",
        cmd_export,
    )
    export_cmd.add_argument(
        "--format", choices=(*EXPORT_FORMATS, "record"), default=None,
        help="default: turtle (nquads with --from-store); record: the trial named by --trial, "
        "as the store (--store, default " + SERVE_DEFAULT_STORE + ") holds it, in the trial "
        "record format (YAML; JSON when -o ends in .json)",
    )
    export_cmd.add_argument(
        "--trial", default=None, metavar="ID", help="with --format record: the trial's id (dascern)"
    )
    export_cmd.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    export_cmd.add_argument(
        "--from-store",
        action="store_true",
        help="write every graph the persistent store (--store oxigraph:PATH) serves, bulk loads "
        "included, as N-Quads streamed from it (what /dump/store.nq serves), instead of the "
        "curated release",
    )

    stats = command(
        "stats", "Count triples, graphs and instances, and report validation status.", cmd_stats
    )
    stats.add_argument("--format", choices=STATS_FORMATS, default="text")

    command("check", "Run the ontology quality checks (ontology/checks/*.rq).", cmd_check)

    for registered in registered_commands():
        registered.add_arguments(command(registered.name, registered.help, registered.run))

    load = command(
        "load",
        "Stream large RDF files into a persistent store (--store oxigraph:PATH or sparql:URL).",
        cmd_load,
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".nt, .ttl or .rdf")
    load.add_argument(
        "--graph",
        default=None,
        metavar="IRI",
        help="named graph (default: {base}graph/loaded/STEM)",
    )

    importing = commands.add_parser(
        "import",
        help="Import study records through the validated write path.",
        description="Import study records through the SHACL-validated, atomic write path.",
    )
    sources = importing.add_subparsers(dest="source", metavar="SOURCE", required=True)
    def import_source(name: str, help_text: str, description: str, notes: str,
                      run: Callable[..., int]) -> argparse.ArgumentParser:
        """An import subcommand: what every ``kg import`` takes (paths, summary format, notes,
        progress); the source adds its own options."""
        sub = sources.add_parser(
            name,
            help=help_text,
            description=f"{description} The store defaults to {SERVE_DEFAULT_STORE}, the one "
            "kg serve uses.",
            epilog=IMPORT_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _global_options(sub, in_subcommand=True)
        sub.set_defaults(run=run)
        sub.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - (stdin)")
        sub.add_argument("--format", choices=("text", "json"), default="text",
                         help="summary format")
        sub.add_argument("--notes", action=argparse.BooleanOptionalAction, default=None,
                         help=f"{notes} (default: for up to 20 studies)")
        sub.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
        return sub

    ctgov = import_source(
        "ctgov",
        "ClinicalTrials.gov API v2 study records (JSON, pages, JSON Lines, folders, -).",
        "Import ClinicalTrials.gov API v2 study records: one study object per file, a page "
        "{\"studies\": [...]}, JSON Lines, a folder of such files, or - for standard input.",
        "list what was noted about each study",
        cmd_import_ctgov,
    )
    ctgov.add_argument(
        "--batch-size",
        type=_positive,
        default=None,
        metavar="N",
        help="records validated and written together (one transaction; default 50)",
    )
    import_source(
        "record",
        "Curated trial records (YAML or JSON, kg/records/schema), files, folders or -.",
        "Import curated trial records (YAML, or the same as JSON; format "
        "kg/records/schema/trial-record-1.schema.json): files, folders of .yaml/.yml/.json, or "
        "- for standard input. Each record is checked against the JSON Schema, then validated "
        "with the shapes together with the store's reference data, and written as its trial's "
        "named graph, or refused with each problem at its record path and line.",
        "list the warnings about each record",
        cmd_import_record,
    )

    token = commands.add_parser(
        "token",
        help="Write tokens for the HTTP mutations (kept hashed in KG_TOKENS_FILE).",
        description="Bearer tokens that allow writes over HTTP (GraphQL mutations). The file "
        "named by KG_TOKENS_FILE (or --tokens-file) keeps only their hashes; a new token is "
        "printed once. Without any token the server takes no writes.",
        epilog=TOKEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text, run in (
        ("create", "Make a token and print it (once).", cmd_token_create),
        ("list", "List the tokens' names and when they were made (never the tokens).",
         cmd_token_list),
        ("revoke", "Remove a token: it stops working at its next request.", cmd_token_revoke),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text,
                                    epilog=TOKEN_EPILOG,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        _global_options(action, in_subcommand=True)
        action.add_argument("--tokens-file", type=Path, default=None, metavar="FILE",
                            help="the tokens file (KG_TOKENS_FILE)")
        action.set_defaults(run=run)
        if name == "create":
            action.add_argument("--name", required=True, help="who or what writes with it")
        if name == "revoke":
            action.add_argument("name", help="the token's name")

    synth = command(
        "synth",
        "Write a synthetic corpus (for benchmarks): trials in our model (.nt, .ttl), or "
        "ClinicalTrials.gov API v2 records as JSON Lines (.jsonl) for kg import ctgov.",
        cmd_synth,
    )
    synth.add_argument("--trials", type=int, required=True, metavar="N")
    synth.add_argument("--seed", type=int, default=1, metavar="S")
    synth.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help=".nt, .ttl or .jsonl"
    )
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the global options."""
    try:
        settings = Settings.from_env()
    except ValueError as error:
        raise UsageError(f"invalid KG_* setting: {error}") from error
    data = getattr(args, "data", None)
    settings = settings.with_overrides(
        base_iri=getattr(args, "base_iri", None),
        store=getattr(args, "store", None),
        data_files=tuple(data) if data else None,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        workers=getattr(args, "workers", None),
    )
    parts = urlsplit(settings.base_iri)
    if not parts.scheme or not (parts.netloc or parts.scheme == "urn"):
        raise UsageError(f"base IRI {settings.base_iri!r} is not an absolute IRI")
    return settings


# --- commands -----------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from kg import validate
    from kg.shaclsparql import UnsupportedShapeError

    shapes = validate.load_shapes(settings)
    try:
        if args.from_store:
            report = _validate_stored(args, settings, shapes)
        else:
            engine = "pyshacl" if args.engine == "auto" else args.engine
            report = _validate_built(args, settings, shapes, engine)
    except UnsupportedShapeError as error:
        raise UsageError(f"the store engine cannot validate these shapes: {error}") from error
    _write_text(validate.render_report(report, args.format), args.output)
    return EXIT_OK if report.conforms else EXIT_FAILED


def _validate_built(
    args: argparse.Namespace, settings: Settings, shapes: Graph, engine: str
) -> ValidationReport:
    """FILEs with the ontology, or the graph built from data/ (which holds the ontology)."""
    from kg import validate

    if args.files:
        from kg.build import read_curated, read_reference
        from kg.records.reference import ReferenceIndex

        # A trial file is validated with the shared reference data it points into (drugs,
        # conditions, journals), so that it validates alone, as the write path validates it
        # with the store's.
        data = read_reference(settings)
        index = ReferenceIndex.from_graph(data, settings.base_iri)
        for path in args.files:
            try:
                data += read_curated(path, settings, index)
            except InputError as error:
                if args.format == "junit" and args.output is not None:
                    _write_text(junit_input_error(error), args.output)
                raise
        return validate.validate_graph(
            data, shapes=shapes, ontology=validate.load_ontology(settings), engine=engine
        )
    return validate.validate_graph(
        union_graph(build_dataset(settings)), shapes=shapes, engine=engine
    )


def _validate_stored(
    args: argparse.Namespace, settings: Settings, shapes: Graph
) -> ValidationReport:
    """The store's content where it is: the store engine by default, since a loaded registry
    (30 M triples) cannot be copied into rdflib for pySHACL."""
    from kg import validate
    from kg.store import is_persistent, open_store

    if args.files:
        raise UsageError("give FILEs or --from-store, not both")
    if not is_persistent(settings.store):
        raise UsageError(
            "--from-store needs a persistent store: --store oxigraph:PATH or sparql:QUERY_URL"
        )
    store = open_store(settings.store)
    try:
        if args.engine == "pyshacl":
            return validate.validate_graph(store.dataset(), shapes=shapes)
        return validate.validate_store(
            store,
            shapes=shapes,
            list_focus_nodes=args.format == "junit",
            prefixes={"id": settings.base_iri},
            workers=args.workers,
        )
    finally:
        store.close()


def junit_input_error(error: InputError) -> str:
    """A JUnit report with one erroring test case for a file that could not be parsed.

    Why: CI publishes ``report.xml`` after a failed step; without one it would show "no report"
    instead of the file and line that broke.
    """
    suites = ElementTree.Element("testsuites", name="SHACL validation", tests="1", errors="1")
    suite = ElementTree.SubElement(
        suites, "testsuite", name="SHACL validation", tests="1", failures="0", errors="1"
    )
    case = ElementTree.SubElement(suite, "testcase", classname="parse", name=error.path)
    ElementTree.SubElement(case, "error", message=str(error), type="InputError").text = str(error)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "record" or args.trial is not None:
        return _export_record(args, settings)
    if args.from_store:
        return _export_stored(args, settings)
    fmt: ExportFormat = args.format or "turtle"
    _write_bytes(export(build_dataset(settings), fmt), args.output)
    return EXIT_OK


def _export_record(args: argparse.Namespace, settings: Settings) -> int:
    """One trial as a trial record, from the store ``kg serve`` and ``kg import`` use."""
    from kg.build import build_store
    from kg.records.export import UnknownTrial, dump, export_record

    if args.format != "record" or not args.trial:
        raise UsageError("a trial is exported with --format record --trial ID (both)")
    if getattr(args, "store", None) is None and "KG_STORE" not in os.environ:
        settings = settings.with_overrides(store=SERVE_DEFAULT_STORE)
    store = build_store(settings)
    try:
        record = export_record(store, settings.base_iri, args.trial)
    except UnknownTrial as error:
        raise UsageError(f"{error} ({settings.store}): kg import record puts one there") from None
    finally:
        store.close()
    if args.output is not None and args.output.suffix.lower() == ".json":
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    else:
        text = dump(record)
    _write_text(text, args.output)
    return EXIT_OK


def _export_stored(args: argparse.Namespace, settings: Settings) -> int:
    """The store dump (:mod:`kg.dump`), streamed: 75 M quads do not fit in one bytes object.
    A file is written beside its final name and renamed once complete, so an interrupted
    export leaves no file that looks whole."""
    from kg.dump import store_nquads
    from kg.store import is_persistent, open_store

    if args.format not in (None, "nquads"):
        raise UsageError("--from-store writes N-Quads only (--format nquads)")
    if not is_persistent(settings.store):
        raise UsageError("--from-store needs a persistent store: --store oxigraph:PATH")
    store = open_store(settings.store)
    try:
        chunks = store_nquads(store, settings.base_iri)
        if args.output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return EXIT_OK
        partial = args.output.with_name(f".{args.output.name}.partial")
        try:
            with partial.open("wb") as file:
                for chunk in chunks:
                    file.write(chunk)
            partial.replace(args.output)
        except OSError as error:
            raise UsageError(f"{args.output}: cannot write: {error.strerror or error}") from error
        finally:
            partial.unlink(missing_ok=True)
    finally:
        store.close()
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from kg import validate

    dataset = build_dataset(settings)
    report = validate.validate_graph(union_graph(dataset), shapes=validate.load_shapes(settings))
    summary = summarize(dataset, report)
    text = (
        json.dumps(summary.as_json(), indent=2) + "\n" if args.format == "json" else summary.text()
    )
    _write_text(text, None)
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    results = run_checks(build_dataset(settings), base_iri=settings.base_iri)
    _write_text(render_results(results), None)
    return EXIT_OK if all(result.passed for result in results) else EXIT_FAILED


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from rdflib import URIRef
    from tqdm import tqdm

    from kg.load import load_files
    from kg.store import is_persistent, open_store

    if not is_persistent(settings.store):
        raise UsageError(
            "kg load needs a persistent store: --store oxigraph:PATH or --store sparql:QUERY_URL,UPDATE_URL"
        )
    for path in args.files:
        if not path.is_file():
            raise InputError(str(path), "no such file")
    graph = URIRef(args.graph or f"{settings.base_iri}graph/loaded/{args.files[0].stem}")
    store = open_store(settings.store)
    total = sum(path.stat().st_size for path in args.files)
    try:
        with tqdm(total=total, unit="B", unit_scale=True, desc="loading", file=sys.stderr) as bar:
            summary = load_files(
                store,
                args.files,
                graph=graph,
                base_iri=settings.base_iri,
                max_bytes=settings.max_input_bytes,
                progress=bar.update,
            )
    finally:
        store.close()
    _write_text(
        f"loaded {len(args.files)} file(s), {summary.bytes:,} bytes, into <{graph}>: "
        f"{summary.triples:,} triples in the graph in {summary.seconds:.1f} s "
        f"({summary.triples_per_second:,.0f} triples/s)\n",
        None,
    )
    return EXIT_OK


def _run_import(
    args: argparse.Namespace,
    settings: Settings,
    run: Callable[[Store, WriteContext, Callable[[object], None]], ImportSummary],
) -> int:
    """What every ``kg import`` shares: the store ``kg serve`` uses unless told otherwise, built
    if needed; a progress bar; the summary (text or JSON); the exit code."""
    from tqdm import tqdm

    from kg import summary as summaries
    from kg.build import build_store
    from kg.store import is_persistent
    from kg.write import WriteContext

    if getattr(args, "store", None) is None and "KG_STORE" not in os.environ:
        settings = settings.with_overrides(store=SERVE_DEFAULT_STORE)
    if not is_persistent(settings.store):
        raise UsageError(
            "kg import needs a persistent store: --store oxigraph:PATH or --store "
            "sparql:QUERY_URL,UPDATE_URL (an in-memory store would be gone when kg exits)"
        )
    store = build_store(settings)
    try:
        with tqdm(
            unit=" records", desc="importing", file=sys.stderr, disable=args.no_progress
        ) as bar:
            summary = run(store, WriteContext.from_settings(settings), lambda _: bar.update(1))
    finally:
        store.close()
    if args.format == "json":
        _write_text(json.dumps(summaries.as_json(summary), indent=2) + "\n", None)
    else:
        _write_text(summaries.render_text(summary, notes=args.notes), None)
    return summary.exit_code


def cmd_import_ctgov(args: argparse.Namespace, settings: Settings) -> int:
    from kg.ctgov.importer import BATCH, import_records
    from kg.ctgov.records import read_records

    return _run_import(
        args,
        settings,
        lambda store, context, progress: import_records(
            store, read_records(args.paths), context, batch_size=args.batch_size or BATCH,
            progress=progress,
        ),
    )


def cmd_import_record(args: argparse.Namespace, settings: Settings) -> int:
    from kg.records.importer import import_records
    from kg.records.source import read_records

    return _run_import(
        args,
        settings,
        lambda store, context, progress: import_records(
            store, read_records(args.paths), context, progress=progress
        ),
    )


def _tokens_file(args: argparse.Namespace, settings: Settings) -> Path:
    path = args.tokens_file or settings.tokens_file
    if path is None:
        raise UsageError("no tokens file: set KG_TOKENS_FILE (the server reads the same) or "
                         "give --tokens-file FILE")
    return Path(path)


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    from kg.tokens import TokenError, create_token

    path = _tokens_file(args, settings)
    try:
        token = create_token(path, args.name)
    except TokenError as error:
        raise UsageError(str(error)) from None
    print(f"token {args.name!r} (shown once; {path} keeps only its hash):", file=sys.stderr)
    _write_text(token + "\n", None)
    return EXIT_OK


def cmd_token_list(args: argparse.Namespace, settings: Settings) -> int:
    from kg.tokens import TokenError, read_tokens

    try:
        tokens = read_tokens(_tokens_file(args, settings))
    except TokenError as error:
        raise UsageError(str(error)) from None
    _write_text("".join(f"{t.name}\t{t.created}\n" for t in tokens), None)
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from kg.tokens import TokenError, revoke_token

    try:
        revoked = revoke_token(_tokens_file(args, settings), args.name)
    except TokenError as error:
        raise UsageError(str(error)) from None
    if not revoked:
        return _fail(f"no token named {args.name!r}", EXIT_FAILED)
    _write_text(f"revoked {args.name!r}\n", None)
    return EXIT_OK


def cmd_synth(args: argparse.Namespace, settings: Settings) -> int:
    from kg.synth import write_corpus

    if args.trials < 1:
        raise UsageError("--trials must be at least 1")
    if args.output.suffix == ".jsonl":
        from kg.ctgov.synth import write_records

        size = write_records(args.output, args.trials, seed=args.seed)
        _write_text(
            f"wrote {args.trials:,} synthetic ClinicalTrials.gov records ({size:,} bytes, seed "
            f"{args.seed}) to {args.output}\n",
            None,
        )
        return EXIT_OK
    try:
        triples = write_corpus(args.output, args.trials, seed=args.seed, base_iri=settings.base_iri)
    except ValueError as error:
        raise UsageError(str(error)) from error
    _write_text(
        f"wrote {args.trials:,} synthetic trials ({triples:,} triples, seed {args.seed}) "
        f"to {args.output}\n",
        None,
    )
    return EXIT_OK


# --- stats --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphSummary:
    """What ``kg stats`` reports: sizes, graphs, instances of our classes, validation status."""

    triples: int
    quads: int
    graphs: dict[str, int]
    instances: dict[str, int]
    conforms: bool
    violations: int
    warnings: int
    other_results: int = 0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "quads": self.quads,
            "namedGraphs": self.graphs,
            "instancesByClass": self.instances,
            "validation": {
                "conforms": self.conforms,
                "violations": self.violations,
                "warnings": self.warnings,
                "infos": self.other_results,
            },
        }

    def text(self) -> str:
        width = max([len(name) for name in (*self.graphs, *self.instances)] + [12])
        lines = [f"{'triples':<{width}}  {self.triples}", f"{'quads':<{width}}  {self.quads}"]
        lines.append(f"named graphs ({len(self.graphs)})")
        lines += [f"  {name:<{width}}{count:>8}" for name, count in self.graphs.items()]
        lines.append(f"instances by class ({len(self.instances)} classes)")
        lines += [f"  {name:<{width}}{count:>8}" for name, count in self.instances.items()]
        status = "conforms" if self.conforms else "does not conform"
        lines.append(
            f"validation: {status} ({self.violations} violations, {self.warnings} warnings)"
        )
        return "\n".join(lines) + "\n"


def summarize(dataset: Dataset, report: ValidationReport) -> GraphSummary:
    """Counts for ``kg stats``: instances are counted for ``ekg:`` and ``schema:`` classes only.

    Why only those: they are the classes this project curates; counting ``owl:Class`` or
    ``prov:Derivation`` instances would describe the modelling, not the evidence.
    """
    quads = list(dataset.quads((None, None, None, None)))
    graphs = Counter(str(g) for _, _, _, g in quads)
    union = union_graph(dataset)
    instances: Counter[str] = Counter()
    for _subject, cls in set(union.subject_objects(RDF.type)):
        if isinstance(cls, URIRef):
            for namespace, prefix in ((ONTOLOGY_IRI, "ekg:"), (str(SCHEMA), "schema:")):
                if cls.startswith(namespace):
                    instances[prefix + cls[len(namespace) :]] += 1
    severities = Counter(result.severity for result in report.results)
    return GraphSummary(
        triples=len(union),
        quads=len(quads),
        graphs=dict(sorted(graphs.items())),
        instances=dict(sorted(instances.items())),
        conforms=report.conforms,
        violations=severities["Violation"],
        warnings=severities["Warning"],
        other_results=sum(n for s, n in severities.items() if s not in ("Violation", "Warning")),
    )


# --- input and output ---------------------------------------------------------------------------


def _write_bytes(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UsageError(f"{output}: cannot write: {error.strerror or error}") from error


def _write_text(text: str, output: Path | None) -> None:
    _write_bytes(text.encode("utf-8"), output)


def _version() -> str:
    try:
        return metadata.version("evidence-kg")
    except metadata.PackageNotFoundError:
        return "unknown"


def _positive(text: str) -> int:
    """argparse type for counts that must be at least 1 (a usage error otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


# What a registered Command (api/commands.py) may reuse, under public names.
positive_count = _positive
write_text = _write_text


def _fail(message: str, code: int) -> int:
    print(f"kg: {' '.join(message.split())}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kg``; returns the exit code (the console script passes it to ``sys.exit``)."""
    # rdflib logs a warning before some parse errors that we report ourselves, on one line.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed usage or help
        return int(exit_.code or 0)
    try:
        settings = settings_from(args)
        code: int = args.run(args, settings)
        return code
    except InputError as error:
        return _fail(str(error), EXIT_INPUT)
    except (UsageError, StoreError, CheckError) as error:
        return _fail(str(error), EXIT_INPUT)
    except BrokenPipeError:
        # The reader (``kg export | head``) went away: not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except OSError as error:  # a missing shapes folder, an unreadable ontology directory
        return _fail(str(error), EXIT_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except ImportError as error:
        return _fail(f"{args.command} is unavailable: {error}", EXIT_INTERNAL)
    except Exception as error:  # the promise is one line, never a traceback
        return _fail(f"internal error: {type(error).__name__}: {error}", EXIT_INTERNAL)


if __name__ == "__main__":
    # ``python -m kg.cli`` runs this file as __main__, beside the kg.cli that registered commands
    # import: run that one, so that their Command is the class registered_commands checks.
    from kg.cli import main as imported_main

    sys.exit(imported_main())
