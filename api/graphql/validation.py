"""Validation of a document without variables skips the five rules about variables.

Why: graphql-core's ``NoUndefinedVariablesRule`` collects each operation's variable usages with
a second walk of the whole document, with type information, before it can report anything, and
four more rules look only at variable definitions and usages. Once the answers are read from
memory (:class:`api.graphql.loaders.KeptReads`), validating a document the server has not seen
(a frontend's query with its ids written in, say) is the largest share of the request, and that
second walk about a tenth of it. A document with no ``$`` has no variable definition and no
variable, so those rules cannot report anything for it; a ``$`` anywhere, even in a string or a
comment, keeps every rule. ``tests/api/graphql/test_validation.py`` holds both rule sets to the
same errors.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    ASTValidationRule,
    NoUndefinedVariablesRule,
    NoUnusedVariablesRule,
    UniqueVariableNamesRule,
    VariablesAreInputTypesRule,
    VariablesInAllowedPositionRule,
)
from strawberry.extensions import SchemaExtension

VARIABLE_RULES: frozenset[type[ASTValidationRule]] = frozenset(
    {
        NoUndefinedVariablesRule,
        NoUnusedVariablesRule,
        UniqueVariableNamesRule,
        VariablesAreInputTypesRule,
        VariablesInAllowedPositionRule,
    }
)
"""The specified rules that look only at variable definitions and variables."""


def without_variables(query: str | None) -> bool:
    """Whether ``query`` can have no variable: no ``$`` anywhere in its text.

    >>> without_variables('{ trial(id: "NCT01593254") { acronym } }')
    True
    >>> without_variables('query Q($id: ID!) { trial(id: $id) { acronym } }')
    False
    >>> without_variables('{ trials(filter: {text: "$"}) { totalCount } }')  # kept: a $ at all
    False
    """
    return query is not None and "$" not in query


class VariableFreeValidation(SchemaExtension):
    """Drops :data:`VARIABLE_RULES` from the validation of a document without variables."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        if without_variables(context.query):
            context.validation_rules = tuple(
                rule for rule in context.validation_rules if rule not in VARIABLE_RULES
            )
        yield
