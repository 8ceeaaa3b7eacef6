"""One lock around rdflib's SPARQL parser and evaluator, for the whole process.

Why: rdflib's SPARQL grammar is built with pyparsing, which learns how many arguments each parse
action takes the first time it calls it. Two threads doing that at once make it learn wrong, and
from then on every SPARQL parse in the process fails with ``Param.postParse2() missing 1 required
positional argument: 'tokenList'``. Eight threads querying a fresh rdflib store at once broke it
every time; GraphQL over the rdflib backend runs store calls on threads, and the SPARQL guard
parses in the server's thread pool. rdflib's in-memory evaluation is not made for concurrent use
either, so the small-graph backend serializes whole queries; the guard only its parse.
"""

from __future__ import annotations

import threading

RDFLIB_SPARQL = threading.RLock()
