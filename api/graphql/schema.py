"""The root schema, its protections, and its SDL (the contract committed as api/schema.graphql)."""

from __future__ import annotations

from graphql import print_schema
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from api.graphql.eager import install_resolvers
from api.graphql.errors import MASKED_MESSAGE, should_mask
from api.graphql.limits import Limits, TimedSchema, cost_rule
from api.graphql.mutations import Mutation
from api.graphql.queries import Query
from api.graphql.types import (
    Arm,
    ArmResult,
    Comparison,
    Concept,
    CrossoverResult,
    Document,
    Drug,
    EffectEstimate,
    Endpoint,
    Finding,
    Intervention,
    Population,
    Publication,
    Registration,
    Report,
    StatisticalMethod,
    Trial,
)
from api.graphql.validation import VariableFreeValidation

NODE_TYPES = [
    Arm,
    ArmResult,
    Comparison,
    Concept,
    CrossoverResult,
    Document,
    Drug,
    EffectEstimate,
    Endpoint,
    Finding,
    Intervention,
    Population,
    Publication,
    Registration,
    Report,
    StatisticalMethod,
    Trial,
]
"""Every type implementing Node, listed so the schema has them even if no field returns one."""


def build_schema(limits: Limits | None = None) -> TimedSchema:
    """The GraphQL schema with every protection on; ``limits`` defaults to :class:`Limits`()."""
    limits = limits or Limits()
    # Rule classes are built once per schema so that the validation cache (keyed by the rules)
    # hits across requests; extensions are factories so no instance is shared by two requests.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        cost_rule(limits),
    ]
    schema = TimedSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        config=StrawberryConfig(batching_config=None),
        extensions=[
            VariableFreeValidation,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: AddValidationRules(rules),
            lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE),
        ],
    )
    schema.timeout_seconds = limits.timeout_seconds
    install_resolvers(schema._schema)
    return schema


def sdl() -> str:
    """The schema in GraphQL SDL, as committed in ``api/schema.graphql``."""
    return print_schema(build_schema()._schema) + "\n"
