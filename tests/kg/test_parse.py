"""Safe parsing: hostile and broken inputs are refused with the file and line, never fetched."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from kg.parse import CONTEXT_URL, InputError, parse_bytes, parse_dataset, parse_file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "inputs"
BASE = "https://w3id.org/evidence-kg/id/"

# Every fixture under tests/fixtures/inputs/ must be listed here: (line or None, words the message
# must contain). The test below fails for a fixture with no expectation, so a new hostile input
# cannot be added without saying how it must be refused.
EXPECTED: dict[str, tuple[int | None, str]] = {
    "bad-syntax.ttl": (4, "bad syntax"),
    "bad-syntax.trig": (4, "bad syntax"),
    "bad-syntax.nt": (4, "invalid N-Triples statement"),
    "bad-syntax.nq": (2, "invalid N-Quads statement"),
    "bad-syntax.rdf": (4, "mismatched tag"),
    "bad-syntax.jsonld": (3, "invalid JSON"),
    "not-utf8.jsonld": (None, "not UTF-8"),
    "xxe-file.rdf": (2, "DOCTYPE or ENTITY declaration is refused"),
    "billion-laughs.rdf": (2, "DOCTYPE or ENTITY declaration is refused"),
    "remote-context.jsonld": (None, "'https://example.org/evil-context.jsonld' refused"),
    "remote-context-nested.jsonld": (None, "'http://127.0.0.1:9/scoped.jsonld' refused"),
    "remote-import.jsonld": (None, "'https://example.org/imported.jsonld' refused"),
    "relative-context.jsonld": (None, "'context.jsonld' refused"),
    "file-base.ttl": (None, "file: IRIs"),
    "invalid-iri.ttl": (None, "invalid IRI <https://w3id.org/evidence-kg/id/bad iri>"),
    "bad-rdf-attribute.rdf": (4, "Invalid property attribute URI"),
    "bad-value-object.jsonld": (None, "invalid JSON-LD: "),
}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket fails the test, so 'refused' cannot mean 'fetched and failed'."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def fixture_files() -> list[Path]:
    return sorted(path for path in FIXTURES.iterdir() if path.is_file())


@pytest.mark.parametrize("path", fixture_files(), ids=lambda path: path.name)
@pytest.mark.usefixtures("no_network")
def test_hostile_or_broken_input_is_refused_with_file_and_line(path: Path) -> None:
    """Each fixture is refused; the message names the file and, where the parser knows, the line."""
    assert path.name in EXPECTED, f"add an expectation for {path.name} to EXPECTED"
    line, words = EXPECTED[path.name]
    with pytest.raises(InputError) as caught:
        parse_file(path, base_iri=BASE, max_bytes=1_000_000)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line
    assert words in error.message
    where = f"{path}:{line}" if line is not None else str(path)
    assert str(error).startswith(f"{where}: ")
    assert "\n" not in str(error)


def test_every_expectation_has_a_fixture() -> None:
    """The table and the folder agree both ways."""
    assert set(EXPECTED) == {path.name for path in fixture_files()}


def test_input_over_the_cap_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size is checked from the file system; not one byte is read (opening would fail)."""
    path = tmp_path / "big.ttl"
    path.write_bytes(b"# " + b"x" * 200 + b"\n")

    def no_open(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_open)
    monkeypatch.setattr(Path, "read_bytes", no_open)
    with pytest.raises(InputError, match=r"is 203 bytes, over the 100-byte input cap"):
        parse_file(path, base_iri=BASE, max_bytes=100)


def test_device_that_reports_size_zero_is_refused() -> None:
    """``/dev/zero`` has st_size 0 and never ends; it is not a regular file, so it is refused."""
    with pytest.raises(InputError, match="not a regular file"):
        parse_file(Path("/dev/zero"), base_iri=BASE, max_bytes=100, rdf_format="turtle")


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        parse_file(tmp_path / "absent.ttl", base_iri=BASE, max_bytes=100)
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    with pytest.raises(InputError, match="unknown RDF file type '.csv'"):
        parse_file(odd, base_iri=BASE, max_bytes=100)


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".ttl", "<trial/x> <https://example.org/p> <arm/y> ."),
        (".trig", "<graph/g> { <trial/x> <https://example.org/p> <arm/y> . }"),
        (
            ".rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="https://example.org/"><rdf:Description rdf:about="trial/x">'
            '<ex:p rdf:resource="arm/y"/></rdf:Description></rdf:RDF>',
        ),
        (".jsonld", '{"@id": "trial/x", "https://example.org/p": {"@id": "arm/y"}}'),
    ],
)
def test_relative_iris_resolve_against_the_base_not_the_file(
    tmp_path: Path, suffix: str, text: str
) -> None:
    """A relative IRI becomes ``base + path`` whatever directory the file sits in."""
    path = tmp_path / f"relative{suffix}"
    path.write_text(text)
    graph = parse_file(path, base_iri="https://example.net/kg/", max_bytes=10_000)
    assert set(graph) == {
        (
            URIRef("https://example.net/kg/trial/x"),
            URIRef("https://example.org/p"),
            URIRef("https://example.net/kg/arm/y"),
        )
    }


@pytest.mark.usefixtures("no_network")
def test_published_context_is_served_from_the_bundle(tmp_path: Path) -> None:
    """A document that references our context URL parses offline with its short keys."""
    path = tmp_path / "doc.jsonld"
    path.write_text(
        json.dumps(
            {
                "@context": CONTEXT_URL,
                "@id": "trial/x",
                "type": "ekg:Trial",
                "label": "X",
                "enrollment": 262,
                "arm": "trial/x/arm-a",
            }
        )
    )
    graph = parse_file(path, base_iri=BASE, max_bytes=10_000)
    ekg = "https://w3id.org/evidence-kg/ontology/"
    trial = URIRef(f"{BASE}trial/x")
    assert (trial, URIRef(f"{ekg}arm"), URIRef(f"{BASE}trial/x/arm-a")) in graph
    enrollment = graph.value(trial, URIRef(f"{ekg}enrollment"))
    assert isinstance(enrollment, Literal) and enrollment.toPython() == 262


@pytest.mark.usefixtures("no_network")
def test_import_of_the_published_context_is_inlined() -> None:
    """``@import`` of our own context works offline; local definitions override imported ones."""
    doc = {
        "@context": {"@version": 1.1, "@import": CONTEXT_URL, "label": "https://example.org/l"},
        "@id": "https://example.org/a",
        "label": "x",
        "name": "y",
    }
    dataset = parse_bytes(
        json.dumps(doc).encode(), source="doc.jsonld", rdf_format="jsonld", base_iri=BASE
    )
    predicates = {str(p) for _, p, _, _ in dataset.quads((None, None, None, None))}
    assert predicates == {"https://example.org/l", "https://schema.org/name"}


def test_quad_formats_keep_their_named_graphs(tmp_path: Path) -> None:
    """A TriG file parsed as a graph is not silently empty (rdflib's Graph.parse drops quads)."""
    path = tmp_path / "g.trig"
    path.write_text(
        "<graph/a> { <s> <https://example.org/p> <o> . }\n<t> <https://example.org/p> <o> ."
    )
    dataset = parse_dataset(path, base_iri=BASE, max_bytes=10_000)
    names = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}
    assert f"{BASE}graph/a" in names
    assert len(parse_file(path, base_iri=BASE, max_bytes=10_000)) == 2


def test_json_ld_named_graphs_are_in_the_parsed_graph(tmp_path: Path) -> None:
    """JSON-LD can name graphs too, so it goes through a Dataset like TriG."""
    path = tmp_path / "g.jsonld"
    path.write_text(
        json.dumps(
            {
                "@id": f"{BASE}graph/a",
                "@graph": [{"@id": f"{BASE}s", "https://example.org/p": "o"}],
            }
        )
    )
    assert list(parse_file(path, base_iri=BASE, max_bytes=10_000)) == [
        (URIRef(f"{BASE}s"), URIRef("https://example.org/p"), Literal("o"))
    ]


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        ("ttl", '@prefix e: <https://example.org/> .\n<s> e:p "o", 1 ; a e:C .'),
        ("nt", '<https://example.org/s> <https://example.org/p> "o"@en .'),
        (
            "rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="https://example.org/"><rdf:Description rdf:about="https://example.org/s">'
            "<e:p>o</e:p></rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_triple_formats_parse_straight_into_the_graph_as_through_a_dataset(
    tmp_path: Path, suffix: str, text: str
) -> None:
    """parse_file skips the Dataset for formats without named graphs: same triples, same
    prefixes."""
    path = tmp_path / f"g.{suffix}"
    path.write_text(text)
    graph = parse_file(path, base_iri=BASE, max_bytes=10_000)
    dataset = parse_dataset(path, base_iri=BASE, max_bytes=10_000)
    assert set(graph) == {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    assert len(graph) > 0
    assert set(dataset.namespaces()) <= set(graph.namespaces())


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        (
            "turtle",
            b"@prefix e: <https://e.org/> . e:a e:p "
            + b"[ e:p " * 5000
            + b"1"
            + b" ]" * 5000
            + b" .",
        ),
        ("jsonld", b'{"@id": "https://e.org/a", "https://e.org/p": ' * 900 + b'"x"' + b"}" * 900),
        ("jsonld", b"[" * 200_000 + b"]" * 200_000),
    ],
    ids=["turtle", "jsonld-objects", "jsonld-arrays"],
)
def test_deeply_nested_input_is_a_clear_error_not_a_crash(fmt: str, data: bytes) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        parse_bytes(data, source=f"deep.{fmt}", rdf_format=fmt, base_iri=BASE)


@pytest.mark.parametrize("suffix", [".nt", ".nq"])
def test_relative_iris_in_line_formats_are_errors_not_resolved(tmp_path: Path, suffix: str) -> None:
    """N-Triples and N-Quads allow only absolute IRIs; a relative one is named, never resolved."""
    path = tmp_path / f"relative{suffix}"
    path.write_text(
        "<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"
        "<trial/x> <https://example.org/p> <arm/y> .\n"
    )
    with pytest.raises(InputError) as caught:
        parse_file(path, base_iri=BASE, max_bytes=10_000)
    assert caught.value.line == 2
