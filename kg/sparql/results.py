"""SPARQL result formats: JSON, XML, CSV and TSV for SELECT and ASK, and the RDF formats for graphs.

Why our own serializers for solutions: the row cap must stop reading a result as soon as it is
exceeded, so rows are collected one by one and then written here; pyoxigraph's serializer only
takes a whole, unconsumed result. This module imports pyoxigraph and nothing of rdflib, so that a
query worker starts fast.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Literal as TypingLiteral
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

ResultFormat = TypingLiteral["json", "xml", "csv", "tsv"]
GraphFormat = TypingLiteral["turtle", "ntriples", "jsonld", "rdfxml"]

RESULT_MEDIA_TYPES: dict[ResultFormat, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA_TYPES: dict[GraphFormat, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
OXIGRAPH_FORMATS: dict[GraphFormat, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def serialize_solutions(variables: Sequence[str], rows: Sequence[Row], fmt: ResultFormat) -> bytes:
    """Write SELECT results in ``fmt``; ``None`` in a row is an unbound variable.

    >>> row = [None, ox.NamedNode("http://example.org/a"), ox.Literal("x, y", language="en")]
    >>> serialize_solutions(["n", "s", "label"], [row], "csv")
    b'n,s,label\\r\\n,http://example.org/a,"x, y"\\r\\n'
    >>> serialize_solutions(["n", "s", "label"], [row], "tsv")
    b'?n\\t?s\\t?label\\n\\t<http://example.org/a>\\t"x, y"@en\\n'
    """
    if fmt == "json":
        bindings = [
            {
                name: _json_term(term)
                for name, term in zip(variables, row, strict=True)
                if term is not None
            }
            for row in rows
        ]
        document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
            *(f"<variable name={quoteattr(name)}/>" for name in variables),
            "</head><results>",
        ]
        for row in rows:
            parts.append("<result>")
            for name, term in zip(variables, row, strict=True):
                if term is not None:
                    parts.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_term(term) for term in row])
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{name}" for name in variables)]
    for row in rows:
        lines.append("\t".join("" if term is None else str(term) for term in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_boolean(answer: bool, fmt: ResultFormat) -> bytes:
    """Write an ASK answer (CSV and TSV have no boolean form; we write the bare word).

    >>> serialize_boolean(True, "json")
    b'{"head": {}, "boolean": true}'
    """
    word = "true" if answer else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": answer}).encode("utf-8")
    if fmt == "xml":
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{word}</boolean></sparql>\n"
        ).encode()
    return f"{word}\n".encode()


def serialize_triples(
    triples: Sequence[ox.Triple], fmt: GraphFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """Write CONSTRUCT or DESCRIBE results; prefixes make Turtle and JSON-LD readable."""
    output = ox.serialize(
        triples,
        format=OXIGRAPH_FORMATS[fmt],
        prefixes=prefixes if fmt in ("turtle", "rdfxml") else None,
    )
    assert output is not None
    return output
