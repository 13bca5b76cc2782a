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

from tests.api.auth_helpers import bearer, open_rig  # noqa: E402
from tests.api.fuzzing import fuzz_operations  # noqa: E402


def test_the_auth_routes_hold_their_schema_under_fuzzing(tmp_path: Path) -> None:
    with open_rig(tmp_path) as rig:
        token = rig.register("alice").json()["access_token"]
        schema = schemathesis.openapi.from_asgi("/openapi.json", rig.app)
        operations = [
            found.ok() for found in schema.include(path_regex="^/api/auth/").get_all_operations()
        ]
        assert len(operations) == 15
        fuzz_operations(operations, bearer(token), examples=20)
