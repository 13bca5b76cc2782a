"""The dashboard end to end, in Debian's headless Chromium driven by Playwright.

One real ``tradebot serve`` process serves the built dashboard (``make dashboard``) over a
database seeded with a real backtest, while it hosts a paper replay. The browser registers
the first user with the printed setup code and a CDP virtual authenticator (the page runs
the real WebAuthn ceremony), then every view is visited and checked against what the API
answers for the same run, with axe-core on each. A second user, invited from the
dashboard's Account view (a step-up action), reads the API and the /ws stream beside the
browser, so the page's figures and its live fills are compared with the server's own.

Screenshots of every view land in ``$TRADEBOT_TEST_ARTIFACTS/dashboard`` (default
``.artifacts/dashboard``).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.optional import require

require("fastapi")
require("uvicorn")
require("webauthn")
require("playwright")

import httpx  # noqa: E402

from tests.api.seeding import seed_backtest  # noqa: E402
from tests.e2e.browser import (  # noqa: E402
    axe_violations,
    chromium,
    dashboard_dist,
    register_in_browser,
    virtual_authenticator,
)
from tests.e2e.served import CODE, DEADLINE_S, Served  # noqa: E402
from tradebot.config import load_settings  # noqa: E402
from tradebot.testing.webauthn import SoftAuthenticator  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TRADEBOT_TEST_ARTIFACTS", ROOT / ".artifacts")) / "dashboard"
WAIT_MS = 30_000
FILL_SHOWN_WITHIN_MS = 1_000
"""The issue's bound: a fill pushed over /ws is on the page within a second."""
REPLAY = {
    "TRADEBOT_API__SYMBOLS": '["AAPL", "MSFT"]',
    # Ten days of bars a second: trading starts a few seconds after the warm-up and the
    # replay lasts minutes, longer than this module.
    "TRADEBOT_API__REPLAY_SPEED": "864000",
    "TRADEBOT_API__STEP_UP_S": "30",
    # Every check loads the app afresh, and each load signs in again through
    # /api/auth/refresh: far more sign-ins a minute than a person makes.
    "TRADEBOT_API__AUTH_RATE_PER_MINUTE": "600",
}
BENIGN_CONSOLE = (
    # Chromium logs every 4xx answer as a console error; the step-up flow's first try is
    # refused with 403 on purpose (then asked again after the passkey).
    re.compile(r"Failed to load resource: the server responded with a status of 403"),
)


def _money(value: str | float) -> str:
    """What the dashboard's ``money()`` shows: ``$1,234.56``, minus as U+2212."""
    number = float(value)
    text = f"${abs(number):,.2f}"
    return f"−{text}" if number < 0 else text


@dataclass
class Site:
    served: Served
    page: Any
    api: httpx.Client
    backtest_run: str
    console: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.served.origin + path

    def open(self, path: str, ready: str) -> None:
        """Load ``path`` fresh (the app signs in again from its refresh cookie) and wait
        for the element with test id ``ready``."""
        self.console.clear()
        self.page.goto(self.url(path))
        try:
            self.page.get_by_test_id(ready).first.wait_for(timeout=WAIT_MS)
        except Exception:
            self.shoot(f"failed-{ready}")  # what the page showed instead, for the CI artefacts
            raise

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def problems(self) -> list[str]:
        return [line for line in self.console if not any(p.search(line) for p in BENIGN_CONSOLE)]

    def shoot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def get(self, path: str, **params: Any) -> Any:
        answer = self.api.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def confirm_step_up(self) -> None:
        """The step-up prompt comes up; "Use passkey" (the virtual authenticator answers)
        closes it."""
        dialog = self.page.get_by_test_id("step-up-dialog")
        dialog.wait_for(timeout=WAIT_MS)
        dialog.get_by_role("button", name="Use passkey").click()
        refused = dialog.get_by_role("alert")
        deadline = time.monotonic() + DEADLINE_S
        while dialog.count() and time.monotonic() < deadline:
            assert not refused.count(), f"step-up refused: {refused.inner_text()}"
            self.page.wait_for_timeout(50)  # the poll's interval
        assert not dialog.count(), "the step-up prompt stayed open"


def _seeded(root: Path) -> tuple[Path, str]:
    db = root / "dashboard.db"
    settings = load_settings(
        store={"url": f"sqlite:///{db}"},
        api={"jwt_secret": "e2e-" + "x" * 40, "engine": "none"},
        learning={"enabled": True},
    )
    return db, seed_backtest(settings)


def _invite_from_the_account_view(site: Site) -> str:
    """The first user invites a second from the dashboard: a step-up action, so the page
    (signed in again from its cookie, not fresh) asks for the passkey first."""
    site.open("/account", "passkeys")
    site.page.get_by_role("button", name="Create invitation").click()
    site.confirm_step_up()
    code: str = site.page.get_by_test_id("invite-code").locator("code").inner_text(timeout=WAIT_MS)
    return code.strip()


def _register_reader(site: Site, code: str) -> str:
    """A second user over HTTP with a software passkey: the test's own eyes on the API."""
    begun = site.api.post(
        "/api/auth/register/begin", json={"name": "reader", "display_name": "Reader", "code": code}
    )
    assert begun.status_code == 200, begun.text
    credential = SoftAuthenticator(origin=site.served.origin).create(begun.json()["options"])
    done = site.api.post(
        "/api/auth/register/complete",
        json={"ceremony_id": begun.json()["ceremony_id"], "credential": credential},
    )
    assert done.status_code == 200, done.text
    token: str = done.json()["access_token"]
    return token


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    dist = dashboard_dist()
    root = tmp_path_factory.mktemp("dashboard")
    db, backtest_run = _seeded(root)
    env = {**REPLAY, "TRADEBOT_API__DASHBOARD_DIR": str(dist)}
    served = Served(db, root, engine="replay", env=env)
    try:
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=30) as api,
            chromium() as browser,
        ):
            served.wait_until_answering(api)
            code = served.wait_for_line(CODE).group(1)
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, color_scheme="dark"
            )
            page = context.new_page()
            site = Site(served, page, api, backtest_run)
            page.on("console", site.on_console)
            page.on("pageerror", lambda e: site.console.append(f"uncaught: {e}"))
            virtual_authenticator(page)
            register_in_browser(page, served.origin, code)
            token = _register_reader(site, _invite_from_the_account_view(site))
            api.headers["Authorization"] = f"Bearer {token}"
            yield site
            context.close()
    finally:
        served.stop()


def test_every_view_shows_what_the_api_answers_and_passes_axe(site: Site) -> None:
    run = site.backtest_run
    failures: list[str] = []

    def check(path: str, ready: str, name: str) -> None:
        site.open(path, ready)
        site.shoot(name)
        failures.extend(f"{name}: {v}" for v in axe_violations(site.page))
        failures.extend(f"{name}: console: {line}" for line in site.problems())

    # Portfolio of the seeded backtest: its final value.
    portfolio = site.get("/api/portfolio", run_id=run)
    check(f"/portfolio?run={run}", "stat-equity", "portfolio")
    value = site.page.get_by_test_id("stat-equity").inner_text()
    assert _money(portfolio["equity"]) in value

    # Trade log: the same total and first trade; a row's trail has every check.
    trades = site.get("/api/trades", run_id=run, limit=25)
    check(f"/trades?run={run}", "trade-row", "trades")
    assert f"of {trades['total']}" in site.page.get_by_test_id("pager-range").inner_text()
    first = trades["items"][0]
    row = site.page.get_by_test_id("trade-row").first
    assert first["symbol"] in row.inner_text()
    row.get_by_test_id("trade-toggle").click()
    trail = site.page.get_by_test_id("trade-trail").first
    trail.wait_for(timeout=WAIT_MS)
    detail = site.get(f"/api/trades/{first['id']}", run_id=run)
    checks = trail.get_by_test_id("trace-check")
    checks.first.wait_for(timeout=WAIT_MS)
    assert checks.count() >= len(detail["entry_decision"]["trace"])
    site.shoot("trades-trail")

    # Strategies: one card per strategy of the run.
    strategies = site.get("/api/strategies", run_id=run)
    check(f"/strategies?run={run}", "strategy-card", "strategies")
    cards = site.page.get_by_test_id("strategy-card")
    assert sorted(c.get_attribute("data-name") for c in cards.all()) == sorted(
        s["name"] for s in strategies["items"]
    )

    # News: the newest scored item first, with its score's model.
    news = site.get("/api/news", limit=20)
    check("/news", "news-item", "news")
    assert news["items"][0]["title"] in site.page.get_by_test_id("news-item").first.inner_text()

    # Backtest: the form, and the past runs.
    check("/backtest", "backtest-form", "backtest")

    # Engine: the hosted replay's state.
    status = site.get("/api/trading/status")
    check("/engine", "engine-state", "engine")
    shown = site.page.get_by_test_id("engine-state").get_attribute("data-state")
    assert shown == status["engine"]["state"]

    check("/account", "passkeys", "account")
    assert failures == [], "\n".join(failures)


def test_a_fill_pushed_over_the_websocket_is_on_the_page_within_a_second(site: Site) -> None:
    from websockets.sync.client import connect

    site.open("/portfolio", "signed-in-user")
    token = site.api.headers["Authorization"].removeprefix("Bearer ")
    url = f"ws://127.0.0.1:{site.served.port}/ws"
    with connect(url, open_timeout=DEADLINE_S) as ws:
        ws.send(json.dumps({"type": "auth", "token": token, "since": None}))
        deadline = time.monotonic() + DEADLINE_S
        fill: dict[str, Any] | None = None
        while fill is None and time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=DEADLINE_S))
            if message.get("type") == "event" and message["kind"] == "fill":
                fill = message["data"]
        assert fill is not None, "the replay made no fill in time"
        shown = site.page.locator(f'[data-fill-id="{fill["fill_id"]}"]').first
        shown.wait_for(state="attached", timeout=FILL_SHOWN_WITHIN_MS)
    site.page.get_by_test_id("toast-fill").first.wait_for(timeout=WAIT_MS)
    site.shoot("fill-toast")
    # The hosted replay's own portfolio, now that it has traded.
    site.open("/portfolio", "stat-equity")
    site.page.get_by_test_id("equity-chart").wait_for(timeout=WAIT_MS)
    site.shoot("portfolio-live")


def test_pause_and_resume_from_the_engine_view(site: Site) -> None:
    site.open("/engine", "engine-state")
    state = site.page.get_by_test_id("engine-state")
    site.page.get_by_test_id("control-pause").click()
    _wait_for_state(site, state, "paused")
    site.page.get_by_test_id("control-resume").click()
    _wait_for_state(site, state, "running")


def _wait_for_state(site: Site, state: Any, wanted: str) -> None:
    """Poll until the engine's status and the page both say ``wanted``."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        answered = site.get("/api/trading/status")["engine"]["state"]
        if answered == wanted and state.get_attribute("data-state") == wanted:
            return
        site.page.wait_for_timeout(100)  # the poll's interval
    pytest.fail(f"engine not {wanted}: API {answered}, page {state.get_attribute('data-state')}")


def test_raising_the_tier_asks_for_the_passkey_first(site: Site) -> None:
    site.open("/engine", "tier-select")
    site.page.get_by_test_id("tier-select").select_option("aggressive")
    site.confirm_step_up()  # raising the tier is a step-up action
    deadline = time.monotonic() + DEADLINE_S
    while site.get("/api/trading/status")["engine"]["tier"] != "aggressive":
        assert time.monotonic() < deadline, "the tier did not reach the engine"
        site.page.wait_for_timeout(100)  # the poll's interval


def test_a_phone_width_and_the_light_theme(site: Site) -> None:
    site.page.set_viewport_size({"width": 375, "height": 812})
    site.page.emulate_media(color_scheme="light")
    site.page.evaluate("localStorage.removeItem('tradebot.theme')")
    try:
        for path, ready, name in (
            (f"/portfolio?run={site.backtest_run}", "stat-equity", "phone-portfolio"),
            ("/engine", "engine-state", "phone-engine"),
        ):
            site.open(path, ready)
            assert not site.page.evaluate("document.documentElement.classList.contains('dark')")
            overflow = site.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
            site.shoot(name)
            assert axe_violations(site.page) == []
    finally:
        site.page.set_viewport_size({"width": 1280, "height": 900})
        site.page.emulate_media(color_scheme="dark")


def test_sign_out_and_in_again_with_the_passkey(site: Site) -> None:
    site.open("/portfolio", "signed-in-user")
    site.page.get_by_role("button", name="Sign out").click()
    site.page.get_by_role("button", name="Sign in with passkey").wait_for(timeout=WAIT_MS)
    site.shoot("login")
    site.page.get_by_role("button", name="Sign in with passkey").click()
    site.page.get_by_test_id("signed-in-user").wait_for(timeout=WAIT_MS)
    assert site.page.get_by_test_id("signed-in-user").inner_text() == "Alice"
