"""Optional packages in tests: a test that needs one skips without it on a developer's
machine, and fails under ``CI=true``, where every dev extra must be installed (a skip there
would hide a test that never ran)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

__all__ = ["require"]


def require(module: str) -> ModuleType:
    """Import ``module``; without it, skip the test (fail under ``CI=true``)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        message = f"{module} is not installed ({exc}); it is in the dev extra"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message, allow_module_level=True)
