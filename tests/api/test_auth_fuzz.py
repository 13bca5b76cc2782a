"""schemathesis on the ``/api/auth`` routes of the published OpenAPI, signed in with a
fresh token: whatever the input, no 5xx, every status declared, every body matching its
declared schema, and schema-invalid input refused.

(A schema-valid request refused with 400 — an unknown ceremony, a response py_webauthn
refuses — is the contract, not a failure: ``positive_data_acceptance`` is left out.)
"""

from __future__ import annotations

from pathlib import Path

from tests.optional import require

require("schemathesis")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.api.auth_helpers import bearer, open_rig  # noqa: E402

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


def test_the_auth_routes_hold_their_schema_under_fuzzing(tmp_path: Path) -> None:
    with open_rig(tmp_path) as rig:
        token = rig.register("alice").json()["access_token"]
        schema = schemathesis.openapi.from_asgi("/openapi.json", rig.app)
        operations = [
            found.ok() for found in schema.include(path_regex="^/api/auth/").get_all_operations()
        ]
        assert len(operations) == 15
        for operation in operations:

            @settings(
                max_examples=20,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=bearer(token), checks=CHECKS)

            fuzz()
