"""Errors a client may see verbatim; every other resolver error is masked.

Why a marker class: :class:`strawberry.extensions.MaskErrors` hides internal errors (which could
leak store details), but a client must still learn that its cursor was bad or its request took
too long, so those errors subclass :class:`PublicError` and pass unmasked.
"""

from __future__ import annotations

from graphql import GraphQLError

from kg.readmodel.sparql import BadValue

MASKED_MESSAGE = "Internal error while resolving this field; it has been logged."


class PublicError(Exception):
    """An error whose message is meant for the client."""


class QueryTimeout(PublicError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request exceeded the {seconds:g} s time limit; ask for fewer items or fields."
        )


class BadArgument(PublicError):
    """An argument the resolver cannot use (bad cursor, page too large, bad IRI)."""


def should_mask(error: GraphQLError) -> bool:
    """Mask errors raised by resolvers, except public ones. Validation and syntax errors have no
    ``original_error``, and a bad variable value wraps graphql-core's own GraphQLError: both
    speak to the client about its request and stay readable."""
    original = error.original_error
    return original is not None and not isinstance(original, PublicError | BadValue | GraphQLError)
