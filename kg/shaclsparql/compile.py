"""Read a SHACL shapes graph and write the SPARQL queries that validate a store against it.

Why per targeted shape and few queries each: a store answers one query over 30 M triples far
faster than 300,000 small ones, and each query's cost is mostly reading the values of its paths
and the focus nodes once. So every targeted shape gets at most:

* one *counts* query for all its cardinality checks (min/max count, has-value, qualified),
* one *values* query for all its per-value checks, as UNION branches,
* one query per ``sh:uniqueLang`` and one per SHACL-SPARQL constraint,

each joined with one focus-node subquery (``kg/queries/validate/shacl/focus.rq``, or
``focus_rows.rq`` where a repeated focus node changes nothing).

Semantics follow pySHACL with ``inference="none"`` and the ontology in the data: ``sh:class``
and ``sh:targetClass`` follow ``rdfs:subClassOf*``; a check that cannot be evaluated (a string
compared with a number) fails, as in pySHACL. Supported: every target type; node and property
shapes with predicate, inverse, alternative, sequence and ``*``/``+``/``?`` paths; the core
components listed in :data:`COMPONENTS`; SHACL-SPARQL SELECT constraints on node shapes (see
:mod:`kg.shaclsparql.sparql_constraint`). Anything else in the ``sh:`` namespace on a shape is an
:class:`UnsupportedShapeError` naming the shape and the component.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg import queries
from kg.shaclsparql.sparql_constraint import ConstraintTextError, bind_this
from kg.vocab import RDF, RDFS, SH, XSD

OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")

COMPONENTS: dict[URIRef, str] = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH.qualifiedValueShape: "QualifiedValueShapeConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}
"""Constraint parameters this engine evaluates, and the component each belongs to."""

WHOLE_GRAPH_SELECT = URIRef("https://w3id.org/evidence-kg/shapes/wholeGraphSelect")
"""A constraint's second form written for evaluation over the whole graph (see the shapes'
index.ttl): preferred to ``sh:select``, which pre-binds ``$this`` and so tests one node at a time."""

_STRUCTURE = {
    SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
}
"""``sh:`` predicates on a shape that are not constraint parameters of their own."""

_CASTABLE = {XSD.integer, XSD.decimal, XSD.boolean, XSD.dateTime, XSD.float, XSD.double}
"""Datatypes whose well-formedness SPARQL can test by casting (pySHACL rejects ill-typed ones)."""

_LEXICAL = {
    XSD.date: r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.time: r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
"""Well-formedness as a pattern where SPARQL 1.1 defines no cast (rdflib has none for these)."""

_NODE_KINDS: dict[URIRef, str] = {
    SH.IRI: "isIRI($v)",
    SH.BlankNode: "isBlank($v)",
    SH.Literal: "isLiteral($v)",
    SH.BlankNodeOrIRI: "(isBlank($v) || isIRI($v))",
    SH.BlankNodeOrLiteral: "(isBlank($v) || isLiteral($v))",
    SH.IRIOrLiteral: "(isIRI($v) || isLiteral($v))",
}

_RANGES = {
    SH.minInclusive: ">=",
    SH.minExclusive: ">",
    SH.maxInclusive: "<=",
    SH.maxExclusive: "<",
}

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


class UnsupportedShapeError(ValueError):
    """The shapes graph uses something this engine does not evaluate; the message names the
    shape and the constraint component, so nobody mistakes a skipped check for a passed one."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as the results it produces will describe it."""

    source_shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[str, ...]
    path: Node | None
    """The shape's ``sh:path`` node in the shapes graph (None for a node shape)."""
    source_constraint: Node | None = None
    minimum: int | None = None
    """For counts: fewer values than this fail."""
    maximum: int | None = None
    """For counts: more values than this fail."""


@dataclass(frozen=True)
class CompiledQuery:
    """One query and the checks its rows report on, by ``?k`` (or key 0 for a single check)."""

    kind: str
    """``counts``, ``values``, ``unique_lang`` or ``sparql``."""
    text: str
    checks: dict[int, tuple[Check, ...]]
    projects_this: bool = True
    exact_text: str | None = None
    """For counts: the same query counting distinct values, to run only when ``text`` returns
    rows. ``text`` then counts every value row, which finds every node above a maximum (and
    perhaps a few more, whose values repeat) without a set of values per node."""


@dataclass(frozen=True)
class CompiledShape:
    """A targeted shape: its focus-node subquery and the queries that validate it."""

    shape: Node
    name: str
    focus: str
    queries: tuple[CompiledQuery, ...]


@dataclass(frozen=True)
class CompiledShapes:
    """The compiled shapes graph: what :func:`kg.shaclsparql.run.validate_store` runs."""

    shapes: tuple[CompiledShape, ...]
    graph: Graph = field(compare=False, repr=False)
    """The shapes graph, for the paths the report graph copies."""


def template(name: str) -> str:
    """``kg/queries/validate/shacl/<name>.rq`` without its comment lines, to nest in others."""
    text = queries.load(f"validate/shacl/{name}")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _n3(term: Node) -> str:
    if isinstance(term, URIRef | Literal):
        return term.n3()
    raise TypeError(f"cannot write {term!r} in a query")


def _where(shape: Node) -> str:
    return f"<{shape}>" if isinstance(shape, URIRef) else f"_:{shape}"


def _unsupported(shape: Node, what: str) -> UnsupportedShapeError:
    return UnsupportedShapeError(f"shape {_where(shape)}: {what} is not supported by the store engine")


def sparql_path(shapes: Graph, path: Node, shape: Node) -> str:
    """A SHACL property path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({sparql_path(shapes, inverse, shape)})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        members = [sparql_path(shapes, m, shape) for m in Collection(shapes, alternatives)]
        return "(" + "|".join(members) + ")"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return f"({sparql_path(shapes, inner, shape)}){suffix}"
    if shapes.value(path, RDF.first) is not None:
        return "(" + "/".join(sparql_path(shapes, m, shape) for m in Collection(shapes, path)) + ")"
    raise _unsupported(shape, f"the path {path!r}")


def _integers(shapes: Graph, shape: Node, parameter: URIRef) -> list[int]:
    found = []
    for value in shapes.objects(shape, parameter):
        if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
            raise _unsupported(shape, f"sh:{parameter.removeprefix(str(SH))} {value!r}")
        found.append(int(value.toPython()))
    return found


def _integer(shapes: Graph, shape: Node, parameter: URIRef) -> int | None:
    found = _integers(shapes, shape, parameter)
    return found[0] if found else None


def _is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _members(shapes: Graph, shape: Node, parameter: URIRef) -> list[Node]:
    lists = list(shapes.objects(shape, parameter))
    members: list[Node] = []
    for head in lists:
        members.extend(Collection(shapes, head))
    return members


###############################################################################
# Conditions on one value node
###############################################################################


def _datatype_condition(datatype: Node, var: str) -> str:
    if datatype == XSD.string:
        return f"(isLiteral({var}) && DATATYPE({var}) = {XSD.string.n3()})"
    if datatype == RDF.langString:
        return f"(isLiteral({var}) && LANG({var}) != \"\")"
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    if not isinstance(datatype, URIRef):
        raise TypeError(f"sh:datatype {datatype!r} is not an IRI")
    same = f"isLiteral({var}) && DATATYPE({var}) = {datatype.n3()}"
    if datatype in _CASTABLE:  # ill-typed literals ("abc"^^xsd:integer) fail, as in pySHACL
        return f"({same} && DATATYPE({datatype.n3()}(STR({var}))) = {datatype.n3()})"
    if datatype in _LEXICAL:
        return f"({same} && REGEX(STR({var}), {Literal(_LEXICAL[datatype]).n3()}))"
    return f"({same})"


def _conditions(shapes: Graph, shape: Node, var: str) -> list[tuple[URIRef, str]]:
    """(parameter, condition on ``var``) for every per-value constraint of ``shape`` that can be
    written as a SPARQL expression; each condition is true when the value conforms and never
    raises an error (COALESCE turns an error into "does not conform", as pySHACL does)."""
    found: list[tuple[URIRef, str]] = []

    def add(parameter: URIRef, expression: str) -> None:
        found.append((parameter, f"COALESCE({expression}, false)"))

    for cls in shapes.objects(shape, SH["class"]):
        add(SH["class"], f"EXISTS {{ {var} <{RDF.type}>/<{RDFS.subClassOf}>* {_n3(cls)} }}")
    for datatype in shapes.objects(shape, SH.datatype):
        add(SH.datatype, _datatype_condition(datatype, var))
    for kind in shapes.objects(shape, SH.nodeKind):
        if kind not in _NODE_KINDS:
            raise _unsupported(shape, f"sh:nodeKind {kind!r}")
        add(SH.nodeKind, _NODE_KINDS[kind].replace("$v", var))  # type: ignore[index]
    flags = shapes.value(shape, SH.flags)
    for pattern in shapes.objects(shape, SH.pattern):
        options = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        add(
            SH.pattern,
            f"(!isBlank({var}) && REGEX(STR({var}), {Literal(str(pattern)).n3()}{options}))",
        )
    for parameter, operator in _RANGES.items():
        for bound in shapes.objects(shape, parameter):
            # pySHACL fails a string against a number; rdflib's SPARQL would compare them.
            comparable = (
                f"isNumeric({var})"
                if isinstance(bound, Literal) and isinstance(bound.toPython(), int | float | Decimal)
                else f"isLiteral({var})"
            )
            add(parameter, f"({comparable} && {var} {operator} {_n3(bound)})")
    for length in _integers(shapes, shape, SH.minLength):
        if length > 0:  # a minimum length of 0 passes every value, blank nodes included
            add(SH.minLength, f"(!isBlank({var}) && STRLEN(STR({var})) >= {length})")
    for length in _integers(shapes, shape, SH.maxLength):
        add(SH.maxLength, f"(!isBlank({var}) && STRLEN(STR({var})) <= {length})")
    if shapes.value(shape, SH["in"]) is not None:
        allowed = [f"sameTerm({var}, {_n3(term)})" for term in _members(shapes, shape, SH["in"])]
        add(SH["in"], "(" + (" || ".join(allowed) or "false") + ")")
    for logical in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(shape, logical):
            parts = [_shape_condition(shapes, member, var) for member in Collection(shapes, head)]
            if logical == SH["or"]:
                add(logical, "(" + (" || ".join(parts) or "false") + ")")
            elif logical == SH["and"]:
                add(logical, "(" + (" && ".join(parts) or "true") + ")")
            else:
                count = " + ".join(f"IF({part}, 1, 0)" for part in parts) or "0"
                add(logical, f"({count} = 1)")
    for negated in shapes.objects(shape, SH["not"]):
        add(SH["not"], f"!{_shape_condition(shapes, negated, var)}")
    for node in shapes.objects(shape, SH.node):
        add(SH.node, _shape_condition(shapes, node, var))
    return found


def _shape_condition(shapes: Graph, shape: Node, var: str) -> str:
    """Whether ``var`` conforms to ``shape`` (one used inside sh:or, sh:node, ...), as one
    expression: only shapes made of per-value constraints can be written so."""
    if shapes.value(shape, SH.path) is not None or shapes.value(shape, SH.property) is not None:
        raise _unsupported(shape, "a shape with sh:path or sh:property inside sh:or/sh:and/"
                                  "sh:not/sh:xone/sh:node/sh:qualifiedValueShape")
    _check_parameters(shapes, shape, allowed=_VALUE_PARAMETERS | {SH.hasValue})
    parts = [condition for _, condition in _conditions(shapes, shape, var)]
    for value in shapes.objects(shape, SH.hasValue):
        parts.append(f"sameTerm({var}, {_n3(value)})")
    return "(" + (" && ".join(parts) or "true") + ")"


_VALUE_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.minInclusive, SH.minExclusive,
    SH.maxInclusive, SH.maxExclusive, SH.minLength, SH.maxLength, SH["in"], SH["or"], SH["and"],
    SH.xone, SH["not"], SH.node,
}


def _check_parameters(shapes: Graph, shape: Node, *, allowed: set[URIRef]) -> None:
    for predicate in set(shapes.predicates(shape, None)):
        if not isinstance(predicate, URIRef) or not predicate.startswith(str(SH)):
            continue
        if predicate in _STRUCTURE or predicate in allowed:
            continue
        local = predicate.removeprefix(str(SH))
        component = COMPONENTS.get(predicate, local[:1].upper() + local[1:] + "ConstraintComponent")
        raise _unsupported(shape, f"the constraint component sh:{component} (sh:{local})")
    disjoint = shapes.value(shape, SH.qualifiedValueShapesDisjoint)
    if _is_true(disjoint):
        raise _unsupported(shape, "sh:qualifiedValueShapesDisjoint true")


###############################################################################
# Shapes -> checks -> queries
###############################################################################


def _severity(shapes: Graph, shape: Node) -> URIRef:
    severity = shapes.value(shape, SH.severity)
    return severity if isinstance(severity, URIRef) else SH.Violation


def _messages(shapes: Graph, node: Node) -> tuple[str, ...]:
    return tuple(sorted(str(m) for m in shapes.objects(node, SH.message)))


def _deactivated(shapes: Graph, shape: Node) -> bool:
    flag = shapes.value(shape, SH.deactivated)
    return _is_true(flag)


def _component(parameter: URIRef) -> URIRef:
    return SH[COMPONENTS[parameter]]


def _targets(shapes: Graph, shape: Node) -> str:
    """The union of ``shape``'s target patterns, each binding ``?this`` (SHACL 2.1.3)."""
    patterns = []
    classes = list(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL_CLASS) in shapes:
        classes.append(shape)  # implicit class target
    for cls in sorted(set(classes), key=str):
        # The class closure first, then the typed nodes of each class: an index lookup each.
        patterns.append(f"{{ ?class <{RDFS.subClassOf}>* {_n3(cls)} . ?this <{RDF.type}> ?class }}")
    nodes = sorted(set(shapes.objects(shape, SH.targetNode)), key=str)
    if nodes:
        patterns.append("{ VALUES ?this { " + " ".join(_n3(n) for n in nodes) + " } }")
    for predicate in sorted(set(shapes.objects(shape, SH.targetSubjectsOf)), key=str):
        patterns.append(f"{{ ?this {_n3(predicate)} ?targetObject }}")
    for predicate in sorted(set(shapes.objects(shape, SH.targetObjectsOf)), key=str):
        patterns.append(f"{{ ?targetSubject {_n3(predicate)} ?this }}")
    return " UNION ".join(patterns)


def targeted_shapes(shapes: Graph) -> list[Node]:
    """Shapes with explicit or implicit class targets, in IRI order (blank nodes last)."""
    found = {s for target in _TARGETS for s in shapes.subjects(target, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL_CLASS) in shapes:
                found.add(shape)
    return sorted(found, key=lambda s: (isinstance(s, BNode), str(s)))


@dataclass
class _Builder:
    """Collects one targeted shape's checks into its queries."""

    shapes: Graph
    count_branches: list[str] = field(default_factory=list)
    count_checks: list[tuple[Check, ...]] = field(default_factory=list)
    value_branches: list[str] = field(default_factory=list)
    value_checks: list[tuple[Check, ...]] = field(default_factory=list)
    node_conditions: list[str] = field(default_factory=list)
    node_checks: list[tuple[Check, ...]] = field(default_factory=list)
    lang_paths: list[tuple[str, Check]] = field(default_factory=list)
    sparql: list[tuple[str, Check, bool]] = field(default_factory=list)

    def count(self, pattern: Callable[[str], str], checks: Iterable[Check]) -> None:
        """Count the values ``pattern(var)`` binds to ``var`` for each ``?this``: each counted
        path gets its own variable, so one GROUP BY counts them all (see counts.rq)."""
        key = len(self.count_branches)
        self.count_branches.append("{ " + pattern(f"?v{key}") + " }")
        self.count_checks.append(tuple(checks))

    def value(self, pattern: str, check: Check) -> None:
        key = len(self.value_branches)
        self.value_branches.append(f"{{ {pattern} BIND ({key} AS ?k) }}")
        self.value_checks.append((check,))

    def node(self, condition: str, check: Check) -> None:
        key = len(self.node_conditions)
        self.node_conditions.append(f"(?k = {key} && !{condition})")
        self.node_checks.append((check,))


def _values_of(path: str, var: str = "?value") -> str:
    """``?this path ?value`` (or ``var``) as a sub-SELECT, to be joined with another one by hash.

    Why: two patterns joined on ``?this`` make the store seek the second for every row of the
    first, and on RocksDB a seek costs about as much as reading 30 rows in order (4.4 s against
    0.2 s for the 120,000 effect estimates of 10,000 trials)."""
    return f"{{ SELECT ?this {var} WHERE {{ ?this {path} {var} }} }}"


def _failing_values(path: str, test: str) -> str:
    """``?this path ?value`` for the values that ``test`` (a FILTER on ``?value`` alone) rejects.

    Why each distinct value is tested once, and only the failing ones are looked up again: the
    store decodes every term an expression touches (a string lookup for IRIs and long strings),
    which costs five times reading the triple; values repeat (the 679,000 labels of 10,000
    trials are 43,000 strings, every confidence level is 0.95), and a conforming graph has no
    failing value to look up. GROUP BY, not DISTINCT: oxigraph moves a filter on ?value into a
    SELECT DISTINCT, before the duplicates go (labels: 1.7 s against 0.4 s).

    The failing values meet the path's triples by hash, not a seek each: where other classes
    use the same predicate, most of its values fail (the decimal rdf:value of 119,000 effect
    estimates against a significance assessment's xsd:boolean: 1.2 s against 0.6 s at 10,000
    trials), and with no failing value the store does not read the triples at all."""
    return (f"{{ SELECT ?value WHERE {{ {{ SELECT ?value WHERE {{ ?any {path} ?value }} "
            f"GROUP BY ?value }} {test} }} }} " + _values_of(path))


def _has_value(path: str, term: str, var: str) -> str:
    return f"?this {path} {term} BIND ({term} AS {var})"


def _values_in_class(path: str, cls: str, var: str) -> str:
    return (_values_of(path, var) + f" {{ SELECT DISTINCT {var} WHERE {{ {var} "
            f"<{RDF.type}>/<{RDFS.subClassOf}>* {cls} }} }}")


def _values_conforming(shapes: Graph, path: str, shape: Node, var: str) -> str:
    return f"?this {path} {var} FILTER ({_shape_condition(shapes, shape, var)})"


def _property_shape(builder: _Builder, shape: Node) -> None:
    shapes = builder.shapes
    path_node = shapes.value(shape, SH.path)
    assert path_node is not None
    path = sparql_path(shapes, path_node, shape)
    _check_parameters(
        shapes,
        shape,
        allowed=_VALUE_PARAMETERS
        | {SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals,
           SH.disjoint, SH.qualifiedValueShape},
    )
    if shapes.value(shape, SH.sparql) is not None:
        raise _unsupported(shape, "the constraint component SPARQLConstraintComponent on a "
                                  "property shape")
    severity, messages = _severity(shapes, shape), _messages(shapes, shape)

    def check(parameter: URIRef, **extra: object) -> Check:
        return Check(shape, _component(parameter), severity, messages, path_node, **extra)  # type: ignore[arg-type]

    counted = []
    minimum, maximum = _integer(shapes, shape, SH.minCount), _integer(shapes, shape, SH.maxCount)
    if minimum is not None:
        counted.append(check(SH.minCount, minimum=minimum))
    if maximum is not None:
        counted.append(check(SH.maxCount, maximum=maximum))
    if counted:
        builder.count(lambda var: f"?this {path} {var}", counted)
    for value in shapes.objects(shape, SH.hasValue):
        builder.count(partial(_has_value, path, _n3(value)), [check(SH.hasValue, minimum=1)])
    for qualified in shapes.objects(shape, SH.qualifiedValueShape):
        low = _integer(shapes, shape, SH.qualifiedMinCount)
        high = _integer(shapes, shape, SH.qualifiedMaxCount)
        classes = list(shapes.objects(qualified, SH["class"]))
        only_class = len(classes) == 1 and set(shapes.predicates(qualified, None)) <= {
            SH["class"], RDF.type
        }
        pattern: Callable[[str], str]
        if only_class:  # a hash join, where an EXISTS per value would cost ten times more
            pattern = partial(_values_in_class, path, _n3(classes[0]))
        else:
            pattern = partial(_values_conforming, shapes, path, qualified)

        qualified_checks = []
        if low is not None:
            qualified_checks.append(Check(shape, SH.QualifiedMinCountConstraintComponent,
                                          severity, messages, path_node, minimum=low))
        if high is not None:
            qualified_checks.append(Check(shape, SH.QualifiedMaxCountConstraintComponent,
                                          severity, messages, path_node, maximum=high))
        if not qualified_checks:
            raise _unsupported(shape, "sh:qualifiedValueShape without a qualified count")
        builder.count(pattern, qualified_checks)
    for cls in shapes.objects(shape, SH["class"]):
        # An anti-join against every instance of the class: a hash lookup per value, where an
        # EXISTS per value walks rdfs:subClassOf again for each one.
        builder.value(
            f"?this {path} ?value MINUS {{ ?value <{RDF.type}>/<{RDFS.subClassOf}>* {_n3(cls)} }}",
            check(SH["class"]),
        )
    for parameter, condition in _conditions(shapes, shape, "?value"):
        if parameter == SH["class"]:
            continue
        builder.value(_failing_values(path, f"FILTER (!{condition})"), check(parameter))
    for parameter, operator in ((SH.lessThan, "<"), (SH.lessThanOrEquals, "<=")):
        for other in shapes.objects(shape, parameter):
            # pySHACL compares IRIs as strings and fails a string against a non-string.
            comparison = (f"IF(isIRI(?value) && isIRI(?other), STR(?value) {operator} STR(?other), "
                          f"isNumeric(?value) = isNumeric(?other) && ?value {operator} ?other)")
            builder.value(
                _values_of(path) + f" {{ SELECT ?this ?other WHERE {{ ?this {_n3(other)} ?other }} }}"
                f" FILTER (!COALESCE({comparison}, false))",
                check(parameter),
            )
    for other in shapes.objects(shape, SH.disjoint):
        builder.value(
            _values_of(path) + f" {{ SELECT ?this ?value WHERE {{ ?this {_n3(other)} ?value }} }}",
            check(SH.disjoint),
        )
    unique = shapes.value(shape, SH.uniqueLang)
    if _is_true(unique):
        builder.lang_paths.append((path, check(SH.uniqueLang)))


def _node_constraints(builder: _Builder, shape: Node) -> None:
    """Per-value constraints written on a node shape itself: the value node is the focus node."""
    shapes = builder.shapes
    severity, messages = _severity(shapes, shape), _messages(shapes, shape)
    for parameter, condition in _conditions(shapes, shape, "?value"):
        builder.node(condition, Check(shape, _component(parameter), severity, messages, None))
    for value in shapes.objects(shape, SH.hasValue):
        builder.node(f"sameTerm(?value, {_n3(value)})",
                     Check(shape, _component(SH.hasValue), severity, messages, None))


def _sparql_constraints(builder: _Builder, shape: Node, focus: str, rows: str) -> None:
    """``focus`` selects each focus node once; ``rows`` may repeat one, and is joined instead
    where that only repeats result rows (no outer GROUP BY or aggregate): its DISTINCT would
    hash every focus node once more (0.3 s CPU for the 13 fact classes of 10,000 trials)."""
    shapes = builder.shapes
    for constraint in shapes.objects(shape, SH.sparql):
        if _deactivated(shapes, constraint):
            continue
        whole_graph = shapes.value(constraint, WHOLE_GRAPH_SELECT)
        select = whole_graph if whole_graph is not None else shapes.value(constraint, SH.select)
        if select is None:
            raise _unsupported(shape, f"the SPARQL constraint {_where(constraint)} without "
                                      "sh:select")
        prefixes = []
        for source in shapes.objects(constraint, SH.prefixes):
            for declaration in shapes.objects(source, SH.declare):
                prefix = shapes.value(declaration, SH.prefix)
                namespace = shapes.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        try:
            bound = bind_this(str(select), focus, whole_graph=whole_graph is not None)
            if not bound.groups:
                bound = bind_this(str(select), rows, whole_graph=whole_graph is not None)
        except ConstraintTextError as error:
            raise _unsupported(
                shape, f"the SPARQL constraint {_where(constraint)} ({error})"
            ) from error
        messages = tuple(sorted({*_messages(shapes, shape), *_messages(shapes, constraint)}))
        check = Check(shape, SH.SPARQLConstraintComponent, _severity(shapes, shape), messages,
                      None, source_constraint=constraint)
        builder.sparql.append(("\n".join(sorted(set(prefixes))) + "\n" + bound.text, check,
                               bound.projects_this))


def _compile_shape(shapes: Graph, shape: Node) -> CompiledShape:
    targets = _targets(shapes, shape)
    focus = "{ " + template("focus").replace("$targets", targets) + " }"
    rows = "{ " + template("focus_rows").replace("$targets", targets) + " }"
    builder = _Builder(shapes)
    if shapes.value(shape, SH.path) is not None:  # a targeted property shape
        _property_shape(builder, shape)
    else:
        _check_parameters(shapes, shape, allowed=_VALUE_PARAMETERS | {SH.hasValue, SH.sparql})
        for property_shape in sorted(shapes.objects(shape, SH.property), key=str):
            if _deactivated(shapes, property_shape):
                continue
            if shapes.value(property_shape, SH.path) is None:
                raise _unsupported(property_shape, "a property shape without sh:path")
            _property_shape(builder, property_shape)
        _node_constraints(builder, shape)
        _sparql_constraints(builder, shape, focus, rows)
    compiled: list[CompiledQuery] = []
    if len(builder.count_branches) == 1 and all(
        check.minimum == 1 and check.maximum is None for check in builder.count_checks[0]
    ):
        text = (
            template("counts_absent")
            .replace("$focus", rows)
            .replace("$branch", builder.count_branches[0])
        )
        compiled.append(CompiledQuery("counts", text, {0: builder.count_checks[0]}))
    elif builder.count_branches:
        first, exact = (_counts_text(builder, rows, exact=e) for e in (False, True))
        compiled.append(CompiledQuery("counts", first, dict(enumerate(builder.count_checks)),
                                      exact_text=exact if exact != first else None))
    if builder.value_branches:
        text = (
            template("values")
            .replace("$focus", rows)
            .replace("$branches", " UNION ".join(builder.value_branches))
        )
        compiled.append(CompiledQuery("values", text, dict(enumerate(builder.value_checks))))
    if builder.node_conditions:
        keys = " ".join(str(k) for k in range(len(builder.node_conditions)))
        text = (
            template("node_values")
            .replace("$focus", rows)
            .replace("$keys", keys)
            .replace("$conditions", " || ".join(builder.node_conditions))
        )
        compiled.append(CompiledQuery("values", text, dict(enumerate(builder.node_checks))))
    for path, check in builder.lang_paths:
        text = (
            template("unique_lang")
            .replace("$focus", rows)
            .replace("$path", path)
        )
        compiled.append(CompiledQuery("unique_lang", text, {0: (check,)}))
    for text, check, projects_this in builder.sparql:
        compiled.append(CompiledQuery("sparql", text, {0: (check,)}, projects_this))
    name = shapes.value(shape, SH.name)
    return CompiledShape(
        shape=shape,
        name=str(name) if name is not None else (str(shape) if isinstance(shape, URIRef)
                                                 else f"_:{shape}"),
        focus=focus,
        queries=tuple(compiled),
    )


def _counts_text(builder: _Builder, focus: str, *, exact: bool) -> str:
    checks_by_key = list(enumerate(builder.count_checks))
    return (
        template("counts")
        .replace("$focus", focus)
        .replace("$projected", " ".join(f"?n{key}" for key, _ in checks_by_key))
        .replace("$counts", " ".join(f"({_count(key, checks, exact=exact)} AS ?n{key})"
                                     for key, checks in checks_by_key))
        .replace("$failing", " || ".join(bound for key, checks in checks_by_key
                                         for bound in _bounds(key, checks)))
        .replace("$branches", " UNION ".join(builder.count_branches))
    )


def _count(key: int, checks: tuple[Check, ...], *, exact: bool) -> str:
    """How the values of count branch ``key`` are counted.

    SHACL counts distinct value nodes, and the union of a store's graphs (or a path with
    alternatives) can give one value twice; but a COUNT(DISTINCT) keeps a set of values per
    node (192 MB against 12 MB for the effect estimates of 10,000 trials). Counting every row
    is exact for "at least one value" and never undercounts, so it finds every node above a
    maximum; the ``exact`` query, run only when that one finds any node, counts distinct
    values. A minimum above 1 always counts them: repeated values could hide a node below it."""
    distinct = any(check.minimum is not None and check.minimum > 1 for check in checks) or (
        exact and any(check.maximum is not None for check in checks)
    )
    return f"COUNT(DISTINCT ?v{key})" if distinct else f"COUNT(?v{key})"


def _bounds(key: int, checks: tuple[Check, ...]) -> list[str]:
    found = []
    for check in checks:
        if check.minimum is not None:
            found.append(f"?n{key} < {check.minimum}")
        if check.maximum is not None:
            found.append(f"?n{key} > {check.maximum}")
    return found


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every targeted shape of ``shapes`` as queries.

    Raises :class:`UnsupportedShapeError` for a component, path or SPARQL form this engine does
    not evaluate, naming the shape.
    """
    compiled = [
        _compile_shape(shapes, shape)
        for shape in targeted_shapes(shapes)
        if not _deactivated(shapes, shape)
    ]
    return CompiledShapes(shapes=tuple(compiled), graph=shapes)
