"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright, with a
CDP virtual authenticator standing in for the user's passkey — the page runs the real
WebAuthn ceremony (navigator.credentials) against the real server, nothing is patched.

Skips without Playwright or /usr/bin/chromium on a developer's machine; fails under
``CI=true`` (``make test`` installs both).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.optional import require

__all__ = [
    "AXE_JS",
    "CHROMIUM",
    "DIST",
    "axe_violations",
    "chromium",
    "dashboard_dist",
    "register_in_browser",
    "virtual_authenticator",
]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "dashboard" / "dist"
AXE_JS = ROOT / "dashboard" / "node_modules" / "axe-core" / "axe.min.js"


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def dashboard_dist() -> Path:
    """The built dashboard (``make dashboard``); skip or fail without it."""
    if not (DIST / "index.html").exists():
        _missing(f"{DIST} is not built: run `make dashboard`")
    return DIST


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's) under Playwright; the browser object."""
    require("playwright")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            browser.close()


def virtual_authenticator(page: Any) -> str:
    """A platform authenticator with user verification on ``page``'s browser context (CDP
    WebAuthn domain): resident keys, UV always passing — a user's laptop passkey."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page._tradebot_cdp = cdp  # kept alive with the page
    return str(added["authenticatorId"])


def register_in_browser(page: Any, origin: str, code: str, name: str = "alice") -> None:
    """The first user through the login page: setup code, then the passkey ceremony."""
    page.goto(origin + "/")
    page.get_by_label("Sign-in name").fill(name)
    page.get_by_label("Display name").fill(name.capitalize())
    page.get_by_label("Setup code", exact=False).fill(code)
    page.get_by_role("button", name="Create passkey and register").click()
    page.get_by_role("navigation", name="Main").wait_for()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of ``impacts`` on the page as it is now, one line each."""
    if not AXE_JS.exists():
        _missing(f"{AXE_JS} is missing: run `make dashboard` (npm ci)")
    # Evaluated through the DevTools protocol, not as a <script> tag: the server's CSP
    # (script-src 'self') rightly refuses an inline script, and the test must not relax it.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} — {v['help']} ({len(v['nodes'])} nodes: "
        f"{json.dumps([n['target'] for n in v['nodes'][:3]])})"
        for v in result["violations"]
        if v["impact"] in impacts
    ]
