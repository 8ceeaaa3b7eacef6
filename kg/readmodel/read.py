"""Batched reads: each function answers for many IRIs with one SPARQL query.

Why batched: a GraphQL request for 30 trials with their arms, endpoints and results must cost a
fixed number of store queries, not one per trial (the N+1 problem). Callers (the GraphQL
DataLoaders) collect the IRIs one level of the request needs and call these once per level.
Listings (filters, paging, counts) are in :mod:`kg.readmodel.listing`. Batched reads sort their
few rows in Python: an ORDER BY on IRIs makes
oxigraph fetch every IRI's text from disk (9 of the 11 ms of a 271-row read at 10,000 trials).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.readmodel import declaration, model
from kg.readmodel.sparql import (
    fragment,
    iri,
    is_iri,
    keyed,
    numbered_values,
    render,
    string_literal,
    values,
)
from kg.store import (
    BLANK,
    IRI,
    XSD_STRING,
    Lexical,
    Store,
    grows_with_data,
    key_bounded,
    select,
)
from kg.vocab import EKG, PROV, RDF, RDFS, SCHEMA, SKOS

Row = dict[str, Identifier]
T = TypeVar("T")


class _IRIs:
    """The IRIs of a namespace's terms as plain strings, each built once: ``ekg.arm`` is
    ``str(EKG.arm)``.

    Why: every ``EKG.arm`` is a DefinedNamespace lookup that builds a new URIRef (about 0.5 us),
    and bags are keyed by ``str``; the builders of one 50-trial page named some 8,400 terms.
    A term not listed here is an AttributeError, as a term the ontology lacks is for ``EKG``.

    >>> _IRIs(RDFS, ["label"]).label
    'http://www.w3.org/2000/01/rdf-schema#label'
    """

    def __init__(self, namespace: object, names: Iterable[str]) -> None:
        for name in names:
            setattr(self, name, str(getattr(namespace, name)))

    def __getattr__(self, name: str) -> str:
        """Only reached for a term not listed at construction (typed for mypy)."""
        raise AttributeError(f"{name!r} is not among this read model's terms")


ekg = _IRIs(EKG, EKG.__annotations__)
rdf = _IRIs(RDF, ["type", "value"])
rdfs = _IRIs(RDFS, ["label"])
skos = _IRIs(SKOS, ["definition", "exactMatch"])
prov = _IRIs(PROV, ["wasGeneratedBy"])
schema = _IRIs(
    SCHEMA,
    [
        "about",
        "alternateName",
        "datePublished",
        "dosageForm",
        "isPartOf",
        "name",
        "proprietaryName",
        "url",
    ],
)


# Converting RDF terms to Python values -----------------------------------------------------------


def _str(row: Row, key: str) -> str | None:
    term = row.get(key)
    return None if term is None else str(term)


def _int(row: Row, key: str) -> int | None:
    term = row.get(key)
    if isinstance(term, Literal):
        try:
            return int(term.toPython())
        except (TypeError, ValueError):
            return None
    return None


def _float(row: Row, key: str) -> float | None:
    term = row.get(key)
    if isinstance(term, Literal):
        try:
            return float(term.toPython())
        except (TypeError, ValueError):
            return None
    return None


def _bool(row: Row, key: str) -> bool | None:
    term = row.get(key)
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, bool) else str(term).lower() in {"true", "1"}
    return None


def _date(row: Row, key: str) -> datetime.date | None:
    term = row.get(key)
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, datetime.date):
            return value
    return None


# Terms without rdflib ----------------------------------------------------------------------------
# The batched entity reads take each value as a Lexical pair (text, kind), which oxigraph gives
# without building rdflib terms (half of a bag read's time). The values are converted straight
# from the text where the outcome is the same as rdflib's toPython() (canonical numbers, dates,
# booleans); anything else goes through rdflib, so every backend still reads the same.

XSD_BOOLEAN = str(XSD.boolean)
XSD_DATE = str(XSD.date)
XSD_INTEGER = str(XSD.integer)
VERBATIM = frozenset([IRI, BLANK, XSD_STRING])
"""Kinds whose text is the rdflib term's ``str()`` as it stands (rdflib normalizes the lexical
forms of other datatypes: "1.5E0"^^xsd:double reads "1.5")."""
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
NUMBERS = {XSD_INTEGER: INTEGER, str(XSD.decimal): DECIMAL, str(XSD.double): DOUBLE}
NUMBERS[str(XSD.float)] = DOUBLE
"""The lexical forms whose number is the text's ``float()`` in rdflib too, by datatype."""
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def rdflib_of(term: Lexical) -> Identifier:
    """The rdflib term of a :data:`Lexical` pair, for conversions only rdflib knows."""
    value, kind = term
    if kind == IRI:
        return URIRef(value)
    if kind == BLANK:
        return BNode(value)
    if kind.startswith("@"):
        return Literal(value, lang=kind[1:])
    return Literal(value) if kind == XSD_STRING else Literal(value, datatype=URIRef(kind))


def text_of(term: Lexical) -> str:
    """What ``str()`` gives for the term in rdflib."""
    value, kind = term
    if kind in VERBATIM or kind.startswith("@"):
        return value
    return str(rdflib_of(term))


def integer_of(term: Lexical) -> int | None:
    if term[1] == XSD_INTEGER and INTEGER.fullmatch(term[0]):
        return int(term[0])
    return _int({"v": rdflib_of(term)}, "v")


def number_of(term: Lexical) -> float | None:
    form = NUMBERS.get(term[1])
    if form is not None and form.fullmatch(term[0]):
        return float(term[0])
    return _float({"v": rdflib_of(term)}, "v")


def boolean_of(term: Lexical) -> bool | None:
    value, kind = term
    if kind == XSD_BOOLEAN and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    if kind == XSD_STRING:
        return value.lower() in {"true", "1"}
    return _bool({"v": rdflib_of(term)}, "v")


def date_of(term: Lexical) -> datetime.date | None:
    if term[1] == XSD_DATE and DATE.fullmatch(term[0]):
        try:
            return datetime.date.fromisoformat(term[0])
        except ValueError:
            pass  # rdflib decides what an impossible date reads as
    return _date({"v": rdflib_of(term)}, "v")


def _rows(store: Store, name: str, ids: Iterable[str]) -> list[Row]:
    body = values(i for i in ids if is_iri(i))
    if not body:
        return []
    return select(store, render(name, ids=body)).rows


def _first_by_id(rows: Iterable[Row], build: Callable[[str, Row], T]) -> dict[str, T]:
    """One object per ``?id``: optional multi-valued columns can repeat rows; the first wins."""
    built: dict[str, T] = {}
    for row in rows:
        key = str(row["id"])
        if key not in built:
            built[key] = build(key, row)
    return built


# Entities ----------------------------------------------------------------------------------------


@dataclass
class Bag:
    """The values of one resource's properties, with the labels of its objects."""

    values: dict[str, list[Lexical]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def first(self, predicate: object) -> Lexical | None:
        found = self.values.get(str(predicate))
        if not found:
            return None
        return found[0] if len(found) == 1 else min(found, key=text_of)

    def all(self, predicate: object) -> list[str]:
        """Every value's text, sorted."""
        return sorted(text_of(term) for term in self.values.get(str(predicate), []))

    def is_a(self, *classes: object) -> bool:
        types = self.values.get(rdf.type, [])
        return any((str(cls), IRI) in types for cls in classes)

    def text(self, *predicates: object) -> str | None:
        """The first value of the first predicate that has one, as text."""
        for predicate in predicates:
            term = self.first(predicate)
            if term is not None:
                return text_of(term)
        return None

    def label(self, predicate: object) -> str | None:
        """The label of the (first) object of ``predicate``, e.g. a concept's name."""
        term = self.first(predicate)
        return self.labels.get(text_of(term)) if term is not None else None

    def integer(self, predicate: object) -> int | None:
        return integer_of(term) if (term := self.first(predicate)) is not None else None

    def number(self, predicate: object) -> float | None:
        return number_of(term) if (term := self.first(predicate)) is not None else None

    def boolean(self, predicate: object) -> bool | None:
        return boolean_of(term) if (term := self.first(predicate)) is not None else None

    def date(self, predicate: object) -> datetime.date | None:
        return date_of(term) if (term := self.first(predicate)) is not None else None


LABELLED = frozenset(p for entity in declaration.ENTITIES for p in entity.labelled)
"""Predicates whose objects the read model shows by their label (:meth:`Bag.label`): those the
declaration reads with the ``label`` conversion."""


@key_bounded
def read_bags(
    store: Store, ids: Iterable[str], predicates: Iterable[object], *classes: object
) -> dict[str, Bag]:
    """Property bags of the resources among ``ids`` typed with one of ``classes``, in one
    query; objects of :data:`LABELLED` predicates come with their labels. Blank nodes among
    ``ids`` are skipped: they cannot be named in a query."""
    unique = list(dict.fromkeys(i for i in ids if is_iri(i)))
    if not unique:
        return {}
    wanted = list(dict.fromkeys([rdf.type, *map(str, predicates)]))
    if store.capabilities.numbered_reads:
        rows = _numbered_property_rows(store, unique, wanted, classes)
    else:
        rows = _property_rows(store, unique, wanted)
    bags: dict[str, Bag] = {}
    for key, predicate, o, label in rows:
        bag = bags.get(key)
        if bag is None:
            bag = bags[key] = Bag()
        objects = bag.values.setdefault(predicate, [])
        if o not in objects:
            objects.append(o)
        if label is not None:
            bag.labels.setdefault(text_of(o), text_of(label))
    return {key: bag for key, bag in bags.items() if bag.is_a(*classes)}


PropertyRow = tuple[str, str, Lexical, Lexical | None]
"""(resource IRI, predicate IRI, value, label of the value) in a bag read."""


def _property_rows(store: Store, ids: list[str], wanted: list[str]) -> Iterator[PropertyRow]:
    """The rows of properties.rq, named by IRI."""
    plain = ", ".join(iri(p) for p in wanted if p not in LABELLED)
    branches = fragment("properties_values", ids=values(ids), predicates=plain)
    labelled = ", ".join(iri(p) for p in wanted if p in LABELLED)
    if labelled:
        branches += fragment("properties_labelled", ids=values(ids), predicates=labelled)
    for key, p, o, label in store.select_lexical(render("properties", branches=branches)):
        assert key is not None and p is not None and o is not None  # bound in every branch
        yield key[0], p[0], o, label


def _numbered_property_rows(
    store: Store, ids: list[str], wanted: list[str], classes: Sequence[object]
) -> Iterator[PropertyRow]:
    """The rows of properties_numbered.rq, with their numbers turned back into IRIs."""
    plain = [p for p in wanted if p not in LABELLED]
    labelled = [p for p in wanted if p in LABELLED]
    position = {p: n for n, p in enumerate(wanted)}
    numbered = numbered_values(ids)
    branches = fragment(
        "properties_numbered_values",
        ids=numbered,
        predicates=", ".join(map(iri, plain)),
        classes=", ".join(iri(str(cls)) for cls in classes),
        keys=keyed("p", {p: position[p] for p in plain}),
    )
    if labelled:
        branches += fragment(
            "properties_numbered_labelled",
            ids=numbered,
            predicates=", ".join(map(iri, labelled)),
            keys=keyed("p", {p: position[p] for p in labelled}),
        )
    # Numbers come back as text: looking the text up is cheaper than int() on every row.
    id_of = {str(n): i for n, i in enumerate(ids)}
    predicate_of = {str(n): p for n, p in enumerate(wanted)}
    for n, k, o, label in store.select_lexical(render("properties_numbered", branches=branches)):
        assert n is not None and k is not None and o is not None  # bound in every branch
        yield id_of[n[0]], predicate_of[k[0]], o, label


def build(entity: declaration.Entity[T], key: str, bag: Bag) -> T:
    """The model object of one resource, every declared field read from its bag."""
    values: dict[str, object] = {"id": key}
    for spec in entity.fields:
        values[spec.name] = _convert(bag, spec)
    return entity.model(**values)


def _convert(bag: Bag, spec: declaration.Field) -> object:
    first = spec.predicates[0] if spec.predicates else None
    match spec.conversion:
        case "text" | "iri":
            return bag.text(*spec.predicates)
        case "texts" | "iris":
            return tuple(bag.all(first))
        case "integer":
            return bag.integer(first)
        case "number":
            return bag.number(first)
        case "boolean":
            return bag.boolean(first)
        case "date":
            return bag.date(first)
        case "label":
            return bag.label(first)
        case "is_a":
            return bag.is_a(spec.link)
        case "present":
            return bag.first(first) is not None
    raise ValueError(f"unknown conversion {spec.conversion!r}")  # pragma: no cover


@key_bounded
def read_entities(
    store: Store, ids: Sequence[str], entity: declaration.Entity[T]
) -> dict[str, T]:
    """The model objects of the resources among ``ids`` typed with one of the entity's classes
    (absent IRIs are absent from the answer), in one query."""
    bags = read_bags(store, ids, entity.predicates, *entity.classes)
    return {key: build(entity, key, bag) for key, bag in bags.items()}


@key_bounded
def read_trials(store: Store, ids: Sequence[str]) -> dict[str, model.Trial]:
    """Trials, and studies a registry records that are not trials, by IRI."""
    return read_entities(store, ids, declaration.TRIAL)


@key_bounded
def read_registrations(store: Store, ids: Sequence[str]) -> dict[str, model.Registration]:
    return read_entities(store, ids, declaration.REGISTRATION)


@key_bounded
def read_populations(store: Store, ids: Sequence[str]) -> dict[str, model.Population]:
    return read_entities(store, ids, declaration.POPULATION)


@key_bounded
def read_arms(store: Store, ids: Sequence[str]) -> dict[str, model.Arm]:
    return read_entities(store, ids, declaration.ARM)


@key_bounded
def read_interventions(store: Store, ids: Sequence[str]) -> dict[str, model.Intervention]:
    return read_entities(store, ids, declaration.INTERVENTION)


@key_bounded
def read_drugs(store: Store, ids: Sequence[str]) -> dict[str, model.Drug]:
    return read_entities(store, ids, declaration.DRUG)


@key_bounded
def read_conditions(store: Store, ids: Sequence[str]) -> dict[str, model.Condition]:
    return read_entities(store, ids, declaration.CONDITION)


@key_bounded
def read_xrefs(store: Store, ids: Sequence[str]) -> dict[str, list[model.Xref]]:
    """Codes of drugs or conditions in other vocabularies, by owner IRI."""
    found: dict[str, list[model.Xref]] = defaultdict(list)
    for row in _rows(store, "xref", ids):
        xref = model.Xref(scheme=_str(row, "scheme"), code=str(row["code"]), iri=_str(row, "iri"))
        if xref not in found[str(row["id"])]:
            found[str(row["id"])].append(xref)
    return {
        key: sorted(xrefs, key=lambda x: (x.scheme or "", x.code, x.iri or ""))
        for key, xrefs in found.items()
    }


@key_bounded
def read_endpoints(store: Store, ids: Sequence[str]) -> dict[str, model.Endpoint]:
    return read_entities(store, ids, declaration.ENDPOINT)


@key_bounded
def read_reports(store: Store, ids: Sequence[str]) -> dict[str, model.Report]:
    return read_entities(store, ids, declaration.REPORT)


@key_bounded
def read_references(store: Store, ids: Sequence[str]) -> dict[str, model.Reference]:
    return read_entities(store, ids, declaration.REFERENCE)


@key_bounded
def read_organizations(store: Store, ids: Sequence[str]) -> dict[str, model.Organization]:
    return read_entities(store, ids, declaration.ORGANIZATION)


@key_bounded
def read_methods(store: Store, computations: Sequence[str]) -> dict[str, model.StatisticalMethod]:
    """The statistical method each computation ran, by computation IRI."""
    return _first_by_id(
        _rows(store, "computation_method", computations),
        lambda _, row: model.StatisticalMethod(
            id=str(row["method"]), name=_str(row, "label"), definition=_str(row, "definition")
        ),
    )


@key_bounded
def read_arm_results(store: Store, ids: Sequence[str]) -> dict[str, model.ArmResult]:
    """Arm results, each with the derived approximate count computed for it, if any."""
    results = read_entities(store, ids, declaration.ARM_RESULT)
    approximations = _approximations(store, list(results))
    for key, (count, denominator, computation, lower, upper) in approximations.items():
        if key in results:
            results[key] = replace(
                results[key],
                approximate_count=count,
                approximate_denominator=denominator,
                approximate_computation=computation,
                approximate_count_lower=lower,
                approximate_count_upper=upper,
            )
    return results


Approximation = tuple[int | None, int | None, str | None, int | None, int | None]


def _approximations(store: Store, ids: list[str]) -> dict[str, Approximation]:
    """(count, denominator, computation, lowest and highest admitted count) of the derived
    approximate count of each arm result among ``ids`` that has one; the first row wins. (Not
    numbered as bag reads are: Virtuoso fails to compile a one-row ``VALUES (?id ?n)`` beside
    these OPTIONALs.)"""
    found: dict[str, Approximation] = {}
    if not ids:
        return found
    query = render("approximate_count", ids=values(ids))
    for key, count, denominator, computation, lower, upper in store.select_lexical(query):
        assert key is not None and count is not None
        found.setdefault(
            key[0],
            (
                integer_of(count),
                None if denominator is None else integer_of(denominator),
                None if computation is None else text_of(computation),
                None if lower is None else integer_of(lower),
                None if upper is None else integer_of(upper),
            ),
        )
    return found


@key_bounded
def read_comparisons(store: Store, ids: Sequence[str]) -> dict[str, model.Comparison]:
    return read_entities(store, ids, declaration.COMPARISON)


@key_bounded
def read_estimates(store: Store, ids: Sequence[str]) -> dict[str, model.EffectEstimate]:
    """Effect estimates; derived ones carry the computation that made them. The computation's
    method is not read here: a listing rarely asks for it, and reading it for every estimate of
    a 50-trial page cost a fifth of the page's store time; :func:`read_methods` reads it when
    asked."""
    return read_entities(store, ids, declaration.ESTIMATE)


@key_bounded
def read_significance_assessments(
    store: Store, ids: Sequence[str]
) -> dict[str, model.SignificanceAssessment]:
    """Derived significance verdicts, with the computation that made them."""
    return read_entities(store, ids, declaration.SIGNIFICANCE)


@key_bounded
def read_sources(store: Store, ids: Sequence[str]) -> dict[str, model.SourceDocument]:
    """Source documents by IRI; publications have ``is_publication`` set."""
    return read_entities(store, ids, declaration.SOURCE)


@key_bounded
def read_authors(store: Store, ids: Sequence[str]) -> dict[str, list[model.Author]]:
    """Authors of publications in published order."""
    found: dict[str, list[model.Author]] = defaultdict(list)
    for row in _rows(store, "authors", ids):
        found[str(row["id"])].append(
            model.Author(
                id=str(row["author"]), name=_str(row, "name"), position=_int(row, "position") or 0
            )
        )
    return {key: sorted(authors, key=lambda a: a.position) for key, authors in found.items()}


@key_bounded
def read_crossovers(store: Store, ids: Sequence[str]) -> dict[str, model.CrossoverResult]:
    return read_entities(store, ids, declaration.CROSSOVER)


@key_bounded
def read_findings(store: Store, ids: Sequence[str]) -> dict[str, model.Finding]:
    return read_entities(store, ids, declaration.FINDING)


@key_bounded
def read_derivations(store: Store, ids: Sequence[str]) -> dict[str, list[model.Derivation]]:
    """The sources each fact rests on, with the curators' statement, by fact IRI."""
    found: dict[str, list[model.Derivation]] = defaultdict(list)
    for row in _rows(store, "derivation", ids):
        key = str(row["id"])
        found[key].append(
            model.Derivation(
                subject=key,
                source=str(row["source"]),
                statement=_str(row, "statement"),
                pointer=_str(row, "pointer"),
            )
        )
    return {
        key: sorted(found_here, key=lambda d: (d.source, d.statement or "", d.pointer or ""))
        for key, found_here in found.items()
    }


@key_bounded
def read_node_types(store: Store, ids: Sequence[str]) -> dict[str, set[str]]:
    """The ontology classes (IRIs) of each resource."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "node_type", ids):
        found[str(row["id"])].add(str(row["type"]))
    return dict(found)


@grows_with_data
def read_drug_trials(store: Store, ids: Sequence[str]) -> dict[str, list[str]]:
    """Trials giving each drug in any arm, by drug IRI."""
    found: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, "drug_trials", ids):
        found[str(row["id"])].append(str(row["trial"]))
    return {key: sorted(trials) for key, trials in found.items()}


# Links -------------------------------------------------------------------------------------------


@key_bounded
def read_links(store: Store, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """Objects (IRIs or blank nodes) of each (subject, predicate) pair, sorted by IRI."""
    unique = list(dict.fromkeys(pairs))
    if not unique:
        return {}
    body = " ".join(f"({iri(s)} {iri(p)} {n})" for n, (s, p) in enumerate(unique))
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n, o in store.select_lexical(render("links", pairs=body)):
        assert n is not None and o is not None
        found[unique[int(n[0])]].append(o[0])
    return {key: sorted(objects) for key, objects in found.items()}


@key_bounded
def read_backlinks(
    store: Store, triples: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str, str], list[str]]:
    """Subjects of class ``type`` linking to ``object`` by ``predicate``, by (object, predicate,
    type), sorted by IRI."""
    unique = list(dict.fromkeys(triples))
    if not unique:
        return {}
    body = " ".join(f"({iri(o)} {iri(p)} {iri(t)} {n})" for n, (o, p, t) in enumerate(unique))
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for n, s in store.select_lexical(render("backlinks", triples=body)):
        assert n is not None and s is not None
        found[unique[int(n[0])]].append(s[0])
    return {key: sorted(subjects) for key, subjects in found.items()}


# Lookups by user identifiers ---------------------------------------------------------------------


def _single(rows: list[Row], variable: str) -> str | None:
    return str(rows[0][variable]) if rows else None


@grows_with_data
def find_trial(store: Store, identifier: str) -> str | None:
    """The trial an IRI, acronym or registry id names (case-insensitive), if any: an exact
    match first (:func:`find_trial_exactly`), then a case-insensitive one (:func:`search_trial`).
    A server runs the two stages apart: the first may run on its event loop, the second never.
    """
    return find_trial_exactly(store, identifier) or search_trial(store, identifier)


@key_bounded
def find_trial_exactly(store: Store, identifier: str) -> str | None:
    """The trial an IRI, acronym or registry id names exactly (as given, or in upper or lower
    case): index lookups of a few values, whatever the number of trials."""
    given = identifier.strip()
    variants = dict.fromkeys([given, given.upper(), given.lower()])
    exact = render(
        "trial_lookup_exact",
        values=" ".join(string_literal(v) for v in variants),
        by_iri=fragment("trial_by_iri", iri=iri(given)) if is_iri(given) else "",
    )
    return _single(select(store, exact).rows, "trial")


@key_bounded
def find_trials_exactly(store: Store, identifiers: Sequence[str]) -> dict[str, str]:
    """:func:`find_trial_exactly` of each of ``identifiers`` that names a trial: the batch read
    the GraphQL loaders (and the reads they keep per generation) take."""
    found = {identifier: find_trial_exactly(store, identifier) for identifier in identifiers}
    return {identifier: trial for identifier, trial in found.items() if trial is not None}


@grows_with_data
def search_trial(store: Store, identifier: str) -> str | None:
    """The trial whose IRI, acronym or registry id is ``identifier`` case-insensitively: every
    trial's names are compared (1.4 s at 10,000 trials), so ask :func:`find_trial_exactly`
    first."""
    query = render("trial_lookup", value=string_literal(identifier.strip().lower()))
    return _single(select(store, query).rows, "trial")


@grows_with_data
def find_drugs(store: Store, identifier: str) -> list[str]:
    """Every drug an IRI, name, brand name or code (CHEBI:49375, DB01254, ...) names."""
    match = fragment("drug_match", value=string_literal(identifier.strip().lower()))
    return [str(row["drug"]) for row in select(store, render("drug_lookup", drug_match=match))]


@grows_with_data
def find_drug(store: Store, identifier: str) -> str | None:
    """The drug an identifier names, if any (the first by IRI if several match)."""
    found = find_drugs(store, identifier)
    return found[0] if found else None


@grows_with_data
def find_conditions(store: Store, text: str) -> list[str]:
    """Conditions whose name contains ``text``, or whose code or (mapped) IRI it is."""
    query = render("condition_lookup", value=string_literal(text.strip().lower()))
    return [str(row["condition"]) for row in select(store, query)]


def normalize_phase(phase: str) -> str:
    """The form phase labels are compared in: "Phase 2b", "phase 2B" and "2b" all give "phase2b".

    >>> normalize_phase("2b"), normalize_phase("Phase II")
    ('phase2b', 'phaseii')
    """
    compact = re.sub(r"[^a-z0-9]", "", phase.lower())
    return compact if compact.startswith("phase") else f"phase{compact}"


@grows_with_data
def find_phases(store: Store, phase: str) -> list[str]:
    """The phase ``phase`` names and the phases narrower than it."""
    query = render("phase_lookup", value=string_literal(normalize_phase(phase)))
    return [str(row["phase"]) for row in select(store, query)]


@grows_with_data
def list_drugs(store: Store, limit: int) -> list[str]:
    """Drug IRIs by name, at most ``limit``."""
    rows = select(store, render("drugs", limit=str(int(limit)))).rows
    return [str(row["drug"]) for row in rows]


DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


@grows_with_data
def find_publication(store: Store, doi: str) -> str | None:
    """The publication with a DOI; a resolver prefix (https://doi.org/, doi:) is ignored."""
    bare = DOI_PREFIX.sub("", doi.strip()).lower()
    rows = select(store, render("publication_by_doi", value=string_literal(bare))).rows
    return _single(rows, "publication")
