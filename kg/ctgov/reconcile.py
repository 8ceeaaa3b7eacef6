"""Drugs and conditions of registry records matched with those the graph already holds.

Why: a registry trial of dasatinib must sit beside DASCERN in every cross-trial query, found by
``CHEBI:49375`` although the registry names only MeSH ``D000069439``. So each drug and condition
a record names is matched, in this order:

1. by MeSH id, against the MeSH codes of the graph's drugs and conditions (``D015466`` and the
   registry's zero-padded ``D000015466`` are the same id);
2. by normalized name or synonym (name, brand name, alternate names), when the registry gives no
   MeSH id or the id is not in the graph; a link made this way says so (``ekg:matchNote``);
3. otherwise a node is minted from the MeSH id (``drug/mesh-D000068582``) or, without one, from
   the name (``drug/name-placebo-saline``), and becomes shared reference data.

A name that fits several nodes is ambiguous: no link is made, the study gets its own node, and
the import summary says which candidates there were. The index is read from the store once per
import and grows with the nodes an import mints, so two records of one run naming the same new
drug share one node.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from kg.store import Store, select

_DRUGS = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
PREFIX schema: <https://schema.org/>
SELECT ?node ?name ?mesh WHERE {
  ?node a ?kind .
  FILTER (?kind IN ($kinds))
  { ?node schema:name|schema:alternateName|schema:proprietaryName|<http://www.w3.org/2000/01/rdf-schema#label> ?name }
  UNION
  { ?node schema:code ?code . ?code schema:codingSystem "MeSH" ; schema:codeValue ?mesh }
}
"""


def normalized(name: str) -> str:
    """A name folded for matching: case, accents, punctuation and spacing ignored.

    >>> normalized("  Certolizumab-Pegol "), normalized("Étoposide (VP-16)")
    ('certolizumab pegol', 'etoposide vp 16')
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded.lower()).split())


def slug(name: str) -> str:
    """An IRI segment for a name.

    >>> slug("Food texture modification"), slug("!!!")
    ('food-texture-modification', 'unnamed')
    """
    return normalized(name).replace(" ", "-")[:80].strip("-") or "unnamed"


def mesh_key(mesh_id: str) -> str | None:
    """A MeSH id without its zero padding; None if it is not one.

    >>> mesh_key("D000069439"), mesh_key("D069439"), mesh_key("C000072379"), mesh_key("x")
    ('D69439', 'D69439', 'C72379', None)
    """
    match = re.fullmatch(r"\s*([A-Za-z])0*(\d+)\s*", mesh_id)
    return f"{match.group(1).upper()}{match.group(2)}" if match else None


@dataclass(frozen=True)
class Match:
    """How a registry name was matched: the node, and what to say about it."""

    node: str
    minted: bool
    """True when the store does not describe the node: the study must carry its description
    (:attr:`Index.minted` has it when an earlier study of the run made it)."""
    note: str | None = None
    """How the link was made, when it was made by name (kept in the graph)."""
    problem: str | None = None
    """Why no link was made (an ambiguous name), for the import summary."""


@dataclass
class Index:
    """Drugs or conditions by MeSH id and by normalized name, and the nodes minted so far."""

    kind: str
    """``drug`` or ``condition``: the IRI segment of minted nodes."""
    base_iri: str
    by_mesh: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    known: set[str] = field(default_factory=set)
    """Nodes the store describes: a study names them without describing them again."""
    minted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Nodes this run minted, with their description (N-Triples lines): every study that names
    one carries the same description, so whichever is written first writes it."""
    mesh_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(
        self, node: str, names: list[str], mesh_ids: list[str], lines: tuple[str, ...] | None = None
    ) -> None:
        """Index ``node``: described by the store, or, with ``lines``, minted by this run."""
        if lines is None:
            self.known.add(node)
        else:
            self.minted[node] = lines
        for name in names:
            if normalized(name):
                self.by_name[normalized(name)].add(node)
        for mesh_id in mesh_ids:
            key = mesh_key(mesh_id)
            if key is not None:
                self.by_mesh[key].add(node)
                self.mesh_of[node].add(key)

    def match(self, name: str, mesh_id: str | None, synonyms: tuple[str, ...] = ()) -> Match:
        """The node for a registry drug or condition (see the module docstring)."""
        key = mesh_key(mesh_id) if mesh_id else None
        if key is not None and len(self.by_mesh.get(key, ())) == 1:
            node = next(iter(self.by_mesh[key]))
            return Match(node, minted=node not in self.known)
        candidates: set[str] = set()
        matched_name = name
        for candidate_name in (name, *synonyms):
            found = self.by_name.get(normalized(candidate_name), set())
            if found:
                candidates, matched_name = found, candidate_name
                break
        # A node that carries other MeSH ids is another substance or condition of the same name.
        if key is not None:
            candidates = {c for c in candidates if not self.mesh_of.get(c)}
        own = (
            f"{self.base_iri}{self.kind}/mesh-{mesh_id.strip().upper()}"
            if key is not None and mesh_id
            else f"{self.base_iri}{self.kind}/name-{slug(name)}"
        )
        problem = None
        if len(candidates) == 1:
            node = next(iter(candidates))
            # The node an earlier import minted for this very name is no link by name.
            note = None if node == own else (
                f"Linked by the name {matched_name!r}: the registry gives no identifier the "
                "graph holds for it."
            )
            return Match(node, minted=node not in self.known, note=note)
        if len(candidates) > 1:
            problem = (
                f"{self.kind} {name!r} matches {len(candidates)} nodes by name "
                f"({', '.join(sorted(candidates))}); not linked to any"
            )
        return Match(own, minted=own not in self.known, problem=problem)


def read_index(store: Store, base_iri: str) -> tuple[Index, Index]:
    """The store's drugs and conditions, indexed for :meth:`Index.match`."""
    drugs, conditions = Index("drug", base_iri), Index("condition", base_iri)
    for index, kinds in (
        (drugs, "ekg:Drug, schema:Drug"),
        (conditions, "ekg:Condition, schema:MedicalCondition"),
    ):
        names: dict[str, list[str]] = defaultdict(list)
        meshes: dict[str, list[str]] = defaultdict(list)
        for row in select(store, _DRUGS.replace("$kinds", kinds)):
            node = str(row["node"])
            names.setdefault(node, [])
            if "name" in row:
                names[node].append(str(row["name"]))
            if "mesh" in row:
                meshes[node].append(str(row["mesh"]))
        for node, node_names in names.items():
            index.add(node, node_names, meshes.get(node, []))
    return drugs, conditions
