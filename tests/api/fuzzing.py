"""schemathesis over a set of operations: whatever the input, no 5xx, every status
declared, every body matching its declared schema, schema-invalid input refused.

(A schema-valid request the service refuses — an unknown run or ceremony, an empty date
range — is a declared 400/404/409, the contract, not a failure: ``positive_data_acceptance``
is left out.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

__all__ = ["CHECKS", "fuzz_operations"]

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


def fuzz_operations(operations: Iterable[Any], headers: dict[str, str], examples: int) -> None:
    """Up to ``examples`` generated cases per operation, sent with ``headers``."""
    for operation in operations:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
