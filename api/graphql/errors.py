"""Errors a client may see verbatim; every other resolver error is masked.

Why a marker class: :class:`strawberry.extensions.MaskErrors` hides internal errors (which could
leak store details), but a client must still learn that its cursor was bad or its request took
too long, so those errors subclass :class:`PublicError` and pass unmasked.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

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


def is_client_error(error: GraphQLError) -> bool:
    """Whether the error is about the request (its syntax, a bad cursor, an out-of-range
    ``first``, a bad variable), as opposed to a fault of this software or its store."""
    return not should_mask(error)


def report_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Log a request's errors: what a client got wrong at INFO, one line and no traceback (it is
    the client's to fix, and a traceback per bad cursor buries real faults); a time limit at
    WARNING, also without one; anything else as strawberry does, at ERROR with its traceback."""
    logger = StrawberryLogger.logger
    for error in errors:
        if isinstance(error.original_error, QueryTimeout) or error.message.startswith(
            "The request exceeded"
        ):
            logger.warning("GraphQL request over its time limit: %s", error.message)
        elif is_client_error(error):
            logger.info("GraphQL request error: %s", error.message)
        else:
            StrawberryLogger.error(error, execution_context)


def error_code(error: GraphQLError, *, before_execution: bool) -> str:
    """The ``extensions.code`` of an error as clients read it (Apollo's codes, which client
    libraries and schemathesis know): whose fault it is, and at which stage it happened."""
    if error.message == MASKED_MESSAGE:
        return "INTERNAL_SERVER_ERROR"
    if isinstance(error.original_error, QueryTimeout) or error.message.startswith(
        "The request exceeded"
    ):
        return "TIMEOUT"
    if before_execution:
        if error.message.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED"
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT" if is_client_error(error) else "INTERNAL_SERVER_ERROR"
