"""Every metric tradebot exports, on a registry of its own.

:class:`EngineMetrics` builds them on a fresh ``CollectorRegistry`` (never prometheus
client's global one): one per process or app, so two apps in one test process never
collide, and a scrape shows only what this process measured. The names are the contract
with ``deploy/prometheus/`` (alert rules, Grafana dashboard): rename one there too.

Label sets are bounded (:mod:`.labels`); series a process will surely have (each order
status, decision outcome, breaker and tier) are created up front at zero, so a rate or an
alert works before the first event.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from tradebot.domain.enums import DecisionAction, OrderStatus
from tradebot.ops.circuit import CircuitState
from tradebot.ops.metrics.labels import OTHER
from tradebot.ops.resilience import ServiceBoard

__all__ = ["BREAKERS", "OUTSIDE_SERVICES", "TIERS", "EngineMetrics"]

BREAKERS = ("daily_loss", "single_position", "volatility", "manual")
"""The risk engine's breakers (``tradebot.risk.breakers.BreakerKind``)."""
TIERS = ("conservative", "moderate", "aggressive")
"""The risk tiers (``tradebot.risk.tiers.TierName``)."""
OUTSIDE_SERVICES = (
    "alpaca",
    "ccxt",
    "rss",
    "reddit",
    "finbert",
    "ollama",
    "store",
    "telegram",
    "email",
)
"""The outside systems whose calls are counted (anything else is ``other``)."""
NOTIFY_CHANNELS = ("log", "telegram", "email")
NOTIFY_OUTCOMES = ("sent", "failed", "rate_limited")

_LATENCY_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLIPPAGE_BPS = (-50.0, -20.0, -10.0, -5.0, -1.0, 0.0, 1.0, 5.0, 10.0, 20.0, 50.0, 100.0)


class EngineMetrics:
    """The metrics of one process (module docstring)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = self.registry = registry if registry is not None else CollectorRegistry()
        # --- what comes in ------------------------------------------------------------
        self.bars = Counter("tradebot_bars", "Bars received.", ["source", "timeframe"], registry=r)
        self.news = Counter("tradebot_news", "News articles received.", ["source"], registry=r)
        self.news_scored = Counter(
            "tradebot_news_scored",
            "Article-ticker pairs scored, by the model tier that answered.",
            ["tier"],
            registry=r,
        )
        self.sentiment_seconds = Histogram(
            "tradebot_sentiment_seconds",
            "Time to score one article for one ticker, by model tier.",
            ["tier"],
            buckets=_LATENCY_S,
            registry=r,
        )
        # --- what the engine makes of it ----------------------------------------------
        self.signals = Counter(
            "tradebot_signals",
            "Signals, once per contributing strategy.",
            ["strategy", "direction"],
            registry=r,
        )
        self.decisions = Counter(
            "tradebot_decisions",
            "Trading decisions by outcome and the first check that failed.",
            ["outcome", "first_failed"],
            registry=r,
        )
        self.orders = Counter(
            "tradebot_orders", "Order state changes, by the status reached.", ["status"], registry=r
        )
        self.fill_slippage_bps = Histogram(
            "tradebot_fill_slippage_bps",
            "Fill price against the decision's reference price, basis points (positive: "
            "worse for us).",
            buckets=_SLIPPAGE_BPS,
            registry=r,
        )
        self.order_roundtrip_seconds = Histogram(
            "tradebot_order_roundtrip_seconds",
            "Wall time from an order's submission to the venue's first report of it.",
            buckets=_LATENCY_S,
            registry=r,
        )
        # --- the book and the risk engine ---------------------------------------------
        self.reconciliations = Counter(
            "tradebot_reconciliations", "Reconciliations with the venue.", ["result"], registry=r
        )
        self.reconciliation_differences = Gauge(
            "tradebot_reconciliation_differences",
            "Differences the latest reconciliation found (unexplained ones halt trading).",
            ["kind"],
            registry=r,
        )
        self.breaker_tripped = Gauge(
            "tradebot_breaker_tripped",
            "1 while a circuit breaker is tripped.",
            ["breaker"],
            registry=r,
        )
        self.risk_tier = Gauge(
            "tradebot_risk_tier",
            "1 for the risk tier in effect, 0 for the others.",
            ["tier"],
            registry=r,
        )
        self.heat = Gauge(
            "tradebot_portfolio_heat",
            "Money lost if every position hit its stop, as a fraction of equity.",
            registry=r,
        )
        self.pool = Gauge(
            "tradebot_pool_value",
            "The active and reserve pools, account currency.",
            ["pool"],
            registry=r,
        )
        self.equity = Gauge("tradebot_equity", "Equity, account currency.", registry=r)
        self.open_positions = Gauge("tradebot_open_positions", "Open positions.", registry=r)
        self.halted = Gauge(
            "tradebot_engine_halted",
            "1 while no new orders go out (a kill or a reconciliation).",
            registry=r,
        )
        self.paused = Gauge("tradebot_engine_paused", "1 while entries are paused.", registry=r)
        self.feed_staleness_seconds = Gauge(
            "tradebot_feed_staleness_seconds",
            "Wall seconds since the last bar arrived (since the session started, before one).",
            registry=r,
        )
        self.feeds_down = Gauge(
            "tradebot_feeds_down",
            "Live streams that last said they were disconnected.",
            registry=r,
        )
        # --- outside systems and the store --------------------------------------------
        self.outside_errors = Counter(
            "tradebot_outside_call_errors",
            "Failed calls to an outside system.",
            ["service"],
            registry=r,
        )
        self.outside_retries = Counter(
            "tradebot_outside_call_retries",
            "Retried calls to an outside system.",
            ["service"],
            registry=r,
        )
        self.outside_circuit_state = Gauge(
            "tradebot_outside_circuit_state",
            "State of the circuit breaker around an outside system: 0 closed, 1 half-open "
            "(a trial call is due), 2 open (calls refused).",
            ["service"],
            registry=r,
        )
        self.store_write_seconds = Histogram(
            "tradebot_store_write_seconds",
            "Time to make a batch of records durable (one record in paper and live).",
            buckets=_LATENCY_S,
            registry=r,
        )
        self.notifications = Counter(
            "tradebot_notifications",
            "Notification deliveries by channel and outcome (a failed one delivered later "
            "counts once failed and once sent).",
            ["channel", "status"],
            registry=r,
        )
        self.observer_errors = Counter(
            "tradebot_metrics_observer_errors",
            "Messages a metrics observer failed on (the run goes on).",
            registry=r,
        )
        self._start_at_zero()

    def _start_at_zero(self) -> None:
        for status in OrderStatus:
            self.orders.labels(status.value)
        self.decisions.labels(DecisionAction.ACT.value, "none")
        for kind in ("differences", "unexplained"):
            self.reconciliation_differences.labels(kind)
        for result in ("ok", "mismatch"):
            self.reconciliations.labels(result)
        for breaker in BREAKERS:
            self.breaker_tripped.labels(breaker)
        for tier in TIERS:
            self.risk_tier.labels(tier)
        for pool in ("active", "reserve"):
            self.pool.labels(pool)
        for channel in (*NOTIFY_CHANNELS, OTHER):
            for outcome in NOTIFY_OUTCOMES:
                self.notifications.labels(channel, outcome)
        for service in (*OUTSIDE_SERVICES, OTHER):
            self.outside_errors.labels(service)
            self.outside_retries.labels(service)
            self.outside_circuit_state.labels(service)

    def notification(self, channel: str, status: str) -> None:
        """Count one notification delivery's outcome (the dispatcher's ``on_outcome``)."""
        label = channel if channel in NOTIFY_CHANNELS else OTHER
        self.notifications.labels(label, status if status in NOTIFY_OUTCOMES else OTHER).inc()

    def outside_error(self, service: str) -> None:
        """Count a failed call to ``service`` (the hook for adapters and retry helpers)."""
        self.outside_errors.labels(_service(service)).inc()

    def outside_retry(self, service: str) -> None:
        """Count a retried call to ``service``."""
        self.outside_retries.labels(_service(service)).inc()

    def circuit_state(self, service: str, state: CircuitState) -> None:
        """Show ``service``'s breaker in ``state`` (a breaker's or a board's listener)."""
        self.outside_circuit_state.labels(_service(service)).set(state.code)

    def watch_board(self, board: ServiceBoard) -> Callable[[], None]:
        """Keep ``tradebot_outside_circuit_state`` in step with ``board``'s breakers: their
        states now, then every change (a listener on the board). Services outside
        :data:`OUTSIDE_SERVICES` share ``other``, which shows the worst of them. Counting
        failed calls (:meth:`outside_error`) stays the caller's job: the resilience helpers
        take it as their ``on_error``. The function returned stops watching.

        An open breaker past its recovery time shows 2 until a call is tried (the gauge
        moves on the breaker's changes, and the next call makes it half-open)."""

        def changed(service: str, state: CircuitState) -> None:
            label = _service(service)
            if label == OTHER:
                others = [s for n, s in board.states().items() if _service(n) == OTHER]
                state = max([state, *others], key=lambda s: s.code)
            self.outside_circuit_state.labels(label).set(state.code)

        stop = board.listen(changed)
        for service, state in board.states().items():
            changed(service, state)
        return stop


def _service(name: str) -> str:
    return name if name in OUTSIDE_SERVICES else OTHER
