"""schemathesis against ``/openapi.json`` on the seeded store, signed in with a fresh token:
for every operation outside ``/api/auth`` (fuzzed in ``test_auth_fuzz``), whatever the
input, no 5xx, every status declared, every body matching its declared schema, and
schema-invalid input refused.

Left out: starting backtests (each valid case would spawn a worker process; they are
tested in ``test_backtests_jobs``) and going live (it would try to reach a venue).
``positive_data_acceptance`` is not checked: a schema-valid request the service refuses
(an unknown run, an empty date range) is a declared 400/404/409, not a failure.
"""

from __future__ import annotations

from tests.optional import require

require("schemathesis")

import schemathesis  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from tests.api.fuzzing import fuzz_operations  # noqa: E402

EXCLUDED = {("POST", "/api/backtests"), ("POST", "/api/controls/go-live")}


def test_every_route_holds_its_schema_under_fuzzing(
    app: FastAPI, fresh_headers: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [
        found.ok() for found in schema.exclude(path_regex="^/api/auth/").get_all_operations()
    ]
    chosen = [op for op in operations if (op.method.upper(), op.path) not in EXCLUDED]
    assert len(chosen) >= 30, [f"{op.method} {op.path}" for op in chosen]
    fuzz_operations(chosen, fresh_headers, examples=15)
