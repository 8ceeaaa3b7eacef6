"""The writing side of a registry record's mapping: N-Triples lines with their JSON pointers.

Why apart: every part of a record (identification, design, arms, results) is written with the
same few moves (a fact citing the record at a place, a text, a coded value, a number kept as
written, a date at its precision, shared reference data), and :class:`RecordWriter` is where
they and the record's citation (its version) live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from kg.ctgov import values, vocabulary
from kg.ctgov.reconcile import Index
from kg.ntriples import LineWriter
from kg.vocab import EKG, PROV, RDF, RDFS, XSD

REGISTRY = "ClinicalTrials.gov"

Json = dict[str, Any]


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a place in a record.

    >>> pointer("resultsSection", "outcomeMeasuresModule", "outcomeMeasures", 3, "pValue")
    '/resultsSection/outcomeMeasuresModule/outcomeMeasures/3/pValue'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def get(node: object, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def items(node: object, *keys: str) -> list[Any]:
    found = get(node, *keys)
    return found if isinstance(found, list) else []


def text_of(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass
class MappingContext:
    """What the mapping of one import run shares: the base IRI and the reference indexes."""

    base_iri: str
    drugs: Index
    conditions: Index
    stato: Mapping[URIRef, URIRef] = field(default_factory=dict)
    """Statistic type -> the STATO class its estimates are typed with (from the ontology's
    ``skos:exactMatch``)."""
    curated_trials: Mapping[str, str] = field(default_factory=dict)
    """NCT id -> a study node that is not this import's (a curated trial of the same id)."""

    def trial_iri(self, nct_id: str) -> str:
        return f"{self.base_iri}trial/{nct_id.lower()}"

    def graph_iri(self, nct_id: str) -> str:
        return f"{self.base_iri}graph/trial/{nct_id.lower()}"


class RecordWriter:
    """One record's lines (its own graph, and shared reference data), where each node and
    property came from in the record, and what was noted while writing them."""

    def __init__(self, study: Json, origin: str, context: MappingContext) -> None:
        self.record = study
        self.origin = origin
        self.context = context
        self.base = context.base_iri
        ident = get(study, "protocolSection", "identificationModule") or {}
        self.nct = str(ident["nctId"]).strip()
        self.trial = context.trial_iri(self.nct)
        self.own = LineWriter()
        self.shared = LineWriter()
        self.shared_nodes: set[str] = set()
        self.pointers: dict[str, str] = {}
        self.notes: list[str] = []
        status = ("protocolSection", "statusModule")
        version = text_of(get(study, *status, "lastUpdatePostDateStruct", "date"))
        version = version or text_of(get(study, *status, "lastUpdateSubmitDate"))
        self.version = version or "undated"
        if version is None:
            self.notes.append("the record gives no last-update date: its version is 'undated'")
        self.source = f"{self.base}source/ctgov/{self.nct}/{self.version}"

    def at(self, node: str, where: str, predicate: object | None = None) -> None:
        """Remember where ``node`` (or its ``predicate``) comes from in the record."""
        key = f"<{node}>" if predicate is None else f"<{node}> {predicate}"
        self.pointers.setdefault(key, where)

    def fact(self, node: str, kinds: Sequence[URIRef], label: str, where: str) -> None:
        """A reported fact: its types, label, and its citation of the record at ``where``.

        The JSON pointer (``ekg:recordPointer``) is what the fact rests on in the record; a
        qualified derivation saying the same in words would be four more triples a fact, a
        quarter of an import's writes.
        """
        for kind in kinds:
            self.own.link(node, RDF.type, kind)
        self.own.text(node, RDFS.label, label)
        self.at(node, where)
        self.own.link(node, PROV.wasDerivedFrom, self.source)
        self.own.text(node, EKG.recordPointer, where)

    def text(self, node: str, predicate: URIRef, raw: object, where: str) -> str | None:
        value = text_of(raw)
        if value is not None:
            self.own.text(node, predicate, value)
            self.at(node, where, predicate)
        return value

    def concept(
        self, node: str, predicate: URIRef, table: Mapping[str, URIRef], raw: object, where: str
    ) -> URIRef | None:
        key = vocabulary.code(raw)
        if key is None:
            return None
        concept = table.get(key)
        if concept is None:
            self.notes.append(f"{where}: unknown value {raw!r}, not mapped")
            return None
        self.own.link(node, predicate, concept)
        self.at(node, where, predicate)
        return concept

    def number(
        self,
        node: str,
        predicate: URIRef,
        raw: object,
        where: str,
        text_predicate: URIRef = EKG.reportedText,
    ) -> values.Number | None:
        parsed = values.number(raw)
        if parsed is None:
            return None
        if parsed.lexical is not None:
            self.own.typed(node, predicate, parsed.lexical, XSD.decimal)
            self.at(node, where, predicate)
        if parsed.text is not None:
            self.own.text(node, text_predicate, parsed.text)
            self.at(node, where, text_predicate)
        return parsed

    def date(self, node: str, predicate: URIRef, raw: object, where: str) -> None:
        parsed = values.date(raw)
        if parsed is None:
            if raw is not None:
                self.notes.append(f"{where}: {raw!r} is not a date, left out")
            return
        if parsed.datatype.endswith("gYear"):
            self.notes.append(f"{where}: {raw!r} gives only a year, left out")
            return
        self.own.typed(node, predicate, parsed.lexical, parsed.datatype)
        self.at(node, where, predicate)

    def shared_node(self, node: str, lines: Sequence[str]) -> None:
        if node not in self.shared_nodes:
            self.shared_nodes.add(node)
            self.shared.lines.extend(lines)
