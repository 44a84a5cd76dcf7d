"""Business rules: the CertLogic engine and the rule runner on top of it."""

from jointcheck.rules.certlogic import (
    CompiledExpression,
    compile_expression,
    evaluate,
    is_truthy,
)
from jointcheck.rules.certlogic_validate import validate_expression

__all__ = [
    "CompiledExpression",
    "compile_expression",
    "evaluate",
    "is_truthy",
    "validate_expression",
]
