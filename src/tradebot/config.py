"""Settings: defaults in one place, overridden by a YAML file, then by ``TRADEBOT_`` env vars.

Precedence (highest first): explicit keyword arguments, environment
(``TRADEBOT_RISK__POSITION_FRACTION=0.05``), the YAML file given with ``--config``, the
defaults below. Every section refuses unknown keys, so a typo is an error rather than a
silently ignored setting. Secrets are ``SecretStr`` and are masked by :func:`masked_dump`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError
from tradebot.risk.config import RiskConfig
from tradebot.risk.tiers import TierName as RiskTier

__all__ = [
    "ApiSettings",
    "BrokerSettings",
    "DataSettings",
    "LearningSettings",
    "LogSettings",
    "NewsFeedSettings",
    "NewsSettings",
    "NotificationSettings",
    "RedditSettings",
    "RiskSettings",
    "SentimentSettings",
    "Settings",
    "StoreSettings",
    "StrategySettings",
    "load_settings",
    "mask_url",
    "masked_dump",
]

DEFAULT_DB_URL = "sqlite:///./.tradebot/tradebot.db"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    url: str = DEFAULT_DB_URL
    batch_size: int = Field(default=5000, ge=1, description="rows buffered in backtests")


class BrokerSettings(_Section):
    initial_cash: Decimal = Field(default=Decimal(100_000), gt=0)
    commission_rate: Decimal = Field(default=Decimal("0.0005"), ge=0, le=Decimal("0.1"))
    commission_min: Decimal = Field(default=Decimal(0), ge=0)
    commission_per_share: Decimal = Field(default=Decimal(0), ge=0)
    commission_per_order: Decimal = Field(default=Decimal(0), ge=0)
    slippage_bps: Decimal = Field(default=Decimal(5), ge=0, le=Decimal(1000))
    fill_model: Literal["full", "volume_share"] = Field(
        default="full",
        description="full: an order fills whole on its bar; volume_share: at most volume_limit "
        "of the bar's volume per bar, the rest keeps working, impact grows with the share",
    )
    volume_limit: Decimal = Field(
        default=Decimal("0.025"), gt=0, le=1, description="volume_share: most of a bar's volume"
    )
    price_impact: Decimal = Field(
        default=Decimal("0.1"),
        ge=0,
        le=10,
        description="volume_share: price moves by price_impact × (share of the bar's volume)²",
    )
    borrow_rate: Decimal = Field(
        default=Decimal("0.005"),
        ge=0,
        le=1,
        description="yearly stock-borrow fee of a short, on its entry value",
    )
    intrabar_timeframe: Timeframe | None = Field(
        default=None,
        description="finer bars (same data dir) that settle which bracket leg filled first "
        "when one bar reaches both; none: the stop is assumed first",
    )
    latency_ms: int = Field(
        default=0,
        ge=0,
        le=3_600_000,
        description="paper venue: report fills this long after the fact, market orders "
        "filled at the last price then (0: at the next bar's open, reported with that bar)",
    )
    alpaca_api_key: SecretStr | None = None
    alpaca_api_secret: SecretStr | None = None


_REFERENCE_ONLY = (
    "sizing",
    "position_fraction",
    "cash_buffer",
    "fractional",
    "allow_short",
    "stop_loss",
    "take_profit",
)


class RiskSettings(_Section):
    """Which decision stage decides every trade, and how.

    ``engine: autonomous`` (the default) is the risk engine (:mod:`tradebot.risk`): tiers,
    ATR stops, reserve pool, circuit breakers, gradual entry and the rest, configured by
    ``tier`` (the starting tier) and ``rules`` (a :class:`~tradebot.risk.RiskConfig`: every
    default in one place, e.g. ``rules: {gradual: {enabled: false}}``).

    ``engine: reference`` is the plain stage the peer benchmark's standard case uses; the
    settings ``sizing`` (``fraction`` or ``all_in``), ``position_fraction``, ``cash_buffer``,
    ``fractional``, ``allow_short``, ``stop_loss`` and ``take_profit`` are its own and keep
    meaning what they always meant: given without ``engine``, any of them selects the
    reference stage (with ``engine: autonomous`` a value other than the default is an
    error). ``max_open_positions`` applies to both stages when given; unset, the reference
    stage allows 8 and the engine ``rules.portfolio.max_open_positions`` (10).
    """

    engine: Literal["autonomous", "reference"] = Field(
        default="autonomous",
        description="autonomous: the risk engine; reference: fixed-fraction or all-in sizing",
    )
    tier: RiskTier | None = Field(
        default=None, description="starting tier of the autonomous engine (default: rules.tier)"
    )
    rules: RiskConfig = Field(
        default_factory=RiskConfig, description="the autonomous engine's rules (RiskConfig)"
    )
    position_fraction: Decimal = Field(default=Decimal("0.10"), gt=0, le=1)
    max_open_positions: int | None = Field(
        default=None,
        ge=1,
        description="both stages; unset: 8 for the reference stage, "
        "rules.portfolio.max_open_positions (10) for the autonomous engine",
    )
    cash_buffer: Decimal = Field(
        default=Decimal("0.02"),
        ge=0,
        lt=1,
        description="headroom for a gap between decision and fill",
    )
    fractional: bool = False
    sizing: Literal["fraction", "all_in"] = Field(
        default="fraction",
        description="fraction: position_fraction of equity per entry; all_in: all free cash",
    )
    allow_short: bool = Field(
        default=False,
        description="a SHORT signal while flat enters short (needs a venue that lends)",
    )
    stop_loss: Decimal | None = Field(
        default=None, gt=0, lt=1, description="stop this fraction below a long's entry (bracket)"
    )
    take_profit: Decimal | None = Field(
        default=None, gt=0, le=10, description="target this fraction above a long's entry"
    )

    @model_validator(mode="before")
    @classmethod
    def _reference_settings_select_the_reference_stage(cls, data: Any) -> Any:
        given = isinstance(data, dict) and any(key in data for key in _REFERENCE_ONLY)
        if given and "engine" not in data:
            return {**data, "engine": "reference"}
        return data

    @model_validator(mode="after")
    def _no_reference_settings_for_the_engine(self) -> RiskSettings:
        fields = type(self).model_fields
        given = [n for n in _REFERENCE_ONLY if getattr(self, n) != fields[n].get_default()]
        if self.engine == "autonomous" and given:
            raise ValueError(
                f"{', '.join(given)} belong(s) to the reference stage, not engine: autonomous "
                "(set engine: reference, or tune the engine under rules)"
            )
        return self

    @property
    def reference_max_open_positions(self) -> int:
        """The reference stage's position limit (8 unless given)."""
        return 8 if self.max_open_positions is None else self.max_open_positions

    def risk_config(self) -> RiskConfig:
        """The autonomous engine's configuration: ``rules`` with ``tier`` and a given
        ``max_open_positions`` applied."""
        config = self.rules
        if self.tier is not None:
            config = config.model_copy(update={"tier": self.tier})
        if self.max_open_positions is not None:
            portfolio = config.portfolio.model_copy(
                update={"max_open_positions": self.max_open_positions}
            )
            config = config.model_copy(update={"portfolio": portfolio})
        return config


class StrategySettings(_Section):
    """Which strategies run (through the ensemble) and their parameters by strategy name;
    ``--strategy``/``--strategies`` and ``--param`` on the command line win."""

    names: tuple[str, ...] = ("momentum", "macd", "mean_reversion", "news")
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    dir: Path | None = Field(
        default=None, description="folder of user strategies (*.py + YAML defaults)"
    )
    threshold: float = Field(
        default=0.3, ge=0.0, lt=1.0, description="ensemble: emit only when |score| > threshold"
    )


class DataSettings(_Section):
    dir: Path | None = Field(default=None, description="Parquet data dir; None = bundled")
    timeframe: Timeframe = Timeframe.D1


class NewsFeedSettings(_Section):
    """One RSS/Atom feed; ``symbols`` are hints put on each of its items (per-ticker feeds)."""

    name: str
    url: str
    interval_s: int = Field(default=300, ge=30)
    symbols: tuple[str, ...] = ()


DEFAULT_NEWS_FEEDS = (
    NewsFeedSettings(name="yahoo-finance", url="https://finance.yahoo.com/news/rssindex"),
    NewsFeedSettings(
        name="marketwatch", url="https://feeds.content.dowjones.io/public/rss/mw_topstories"
    ),
    NewsFeedSettings(
        name="cnbc-finance",
        url="https://search.cnbc.com/rs/search/combinedcms/view.xml?partnerId=wrss01&id=10000664",
    ),
    NewsFeedSettings(
        name="sec-edgar-8k",
        url="https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&type=8-K&output=atom",
        interval_s=600,
    ),
)


class RedditSettings(_Section):
    """Reddit as a news source; off (one log line) until both credentials are set, e.g.
    ``TRADEBOT_NEWS__REDDIT__CLIENT_ID`` and ``TRADEBOT_NEWS__REDDIT__CLIENT_SECRET``."""

    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    user_agent: str = "tradebot/0.1 news-fetcher"
    subreddits: tuple[str, ...] = ("wallstreetbets", "stocks", "investing")
    listing: Literal["hot", "new"] = "hot"
    limit: int = Field(default=50, ge=1, le=100)
    min_score: int = Field(default=10, description="posts scoring less are skipped")
    interval_s: int = Field(default=300, ge=30)


class NewsSettings(_Section):
    enabled: bool = True
    file: Path | None = None
    feeds: tuple[NewsFeedSettings, ...] = DEFAULT_NEWS_FEEDS
    fetch_timeout_s: float = Field(default=10.0, gt=0, le=120)
    max_feed_bytes: int = Field(default=5_000_000, ge=10_000)
    user_agent: str = Field(
        default="tradebot/0.1 news-fetcher",
        description="SEC EDGAR asks for a contact: 'tradebot admin@example.com'",
    )
    reddit: RedditSettings = RedditSettings()
    dedup_title_words: int = Field(
        default=6, ge=0, description="titles this long are a de-duplication key (0: never)"
    )


AnalyzerName = Literal["lexicon", "embedding", "finbert", "llm", "tiered"]
TierName = Literal["lexicon", "embedding", "finbert", "llm"]


class SentimentSettings(_Section):
    """Which analyzer scores news (``tradebot sentiment eval`` compares them) and how.
    ``tiered`` asks ``tiers`` in order while confidence < ``threshold``; the seed's chain is
    ``tiers: [finbert, llm]``."""

    analyzer: AnalyzerName = "lexicon"
    tiers: tuple[TierName, ...] = Field(default=("lexicon", "embedding"), min_length=1)
    threshold: float = Field(
        default=0.6, ge=0.0, le=1.0, description="tiered: ask the next tier below this"
    )
    half_life_hours: float = Field(
        default=4.0, gt=0, le=720, description="a score's weight halves every this many hours"
    )
    batch_size: int = Field(default=16, ge=1, le=1024, description="texts per model call")
    device: Literal["cpu", "cuda"] | None = Field(default=None, description="None = GPU if any")
    embedding_head: Path | None = Field(
        default=None, description="head from `tradebot sentiment train`; None = bundled"
    )
    finbert_model: str = Field(default="ProsusAI/finbert", description="hub id or local folder")
    finbert_download: bool = Field(default=False, description="let transformers download it")
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.1:8b"
    ollama_timeout_s: float = Field(default=30.0, gt=0, le=600)
    ollama_retries: int = Field(default=2, ge=0, le=10)


class InstrumentSettings(_Section):
    """A symbol the bundled table does not list (or one to trade differently): its tick, lot
    and minimums, so a backtest on imported data never guesses them. A venue's own listing
    (Alpaca's assets, an exchange's markets) still wins in paper and live trading."""

    asset_class: Literal["equity", "crypto"] = "equity"
    tick_size: Decimal = Field(default=Decimal("0.01"), gt=0)
    lot_size: Decimal = Field(default=Decimal(1), gt=0)
    min_quantity: Decimal | None = Field(default=None, gt=0, description="None = one lot")
    min_notional: Decimal = Field(default=Decimal(0), ge=0)
    calendar: str | None = Field(
        default=None, description="exchange_calendars name; None = XNYS for equities, 24/7"
    )
    currency: str = "USD"


class LiveSettings(_Section):
    """Paper and live sessions on live data (``tradebot paper --broker``, ``tradebot live``).

    The ``*_url`` settings point an adapter at another endpoint than the venue's own — a
    rehearsal against :mod:`tradebot.testing`'s local venues, or a proxy; left unset, the
    SDK's own URLs (Alpaca's paper or live account, the exchange's API) are used."""

    timeframe: Timeframe = Field(default=Timeframe.M1, description="bars the session trades on")
    warmup_bars: int = Field(default=200, ge=0, le=10_000, description="history read at start")
    data: Literal["alpaca", "ccxt"] | None = Field(
        default=None, description="where `--broker sim` takes its bars; None = alpaca for equities"
    )
    exchange: str = Field(default="binance", description="the CCXT exchange id")
    reconcile_interval_s: int = Field(default=300, ge=10, description="book vs venue, again")
    external: Literal["adopt", "halt"] = Field(
        default="halt",
        description="positions or orders at the venue that tradebot did not make: take them "
        "into the book as external, or stay halted until an operator settles them",
    )
    stale_after_s: int = Field(default=180, ge=5, description="a stream this quiet is stale")
    poll_s: float | None = Field(
        default=None,
        gt=0,
        description="how often a polling venue (ccxt) is asked for new bars and order updates, "
        "in seconds; None = the adapter's default (bars: the timeframe, at most 10 s; "
        "orders: 2 s). Lower it for a rehearsal against a local venue, not against an "
        "exchange, whose rate limits the client's limiter then spends",
    )
    alpaca_feed: Literal["iex", "sip"] = "iex"
    alpaca_news: bool = Field(default=False, description="Alpaca's news stream as a source")
    alpaca_url: str | None = Field(default=None, description="REST base URL override")
    alpaca_stream_url: str | None = Field(default=None, description="trade_updates ws override")
    alpaca_data_stream_url: str | None = Field(default=None, description="market data ws override")
    alpaca_news_stream_url: str | None = Field(default=None, description="news ws override")
    ccxt_url: str | None = Field(default=None, description="the exchange's REST base override")
    ccxt_prefer_polling: bool = Field(
        default=False,
        description="poll bars even where the exchange streams them (ccxt.pro watch_ohlcv)",
    )
    ccxt_api_key: SecretStr | None = None
    ccxt_secret: SecretStr | None = None


LearningPolicy = Literal["ema", "exp3", "thompson"]


class LearningSettings(_Section):
    """The learning engine (``tradebot.learning``): strategy weights moved by closed trades.
    Off by default (``backtest --learning on``); ``shadow`` computes and records weights
    without using them. The guardrails are the seed's: a strategy moves after
    ``min_trades`` evaluated trades, by at most ``max_shift`` a cycle, never below
    ``floor``, outcomes fading with a half-life of ``half_life`` trades."""

    enabled: bool = False
    policy: LearningPolicy = "ema"
    shadow: bool = Field(default=False, description="record the weights, keep using the old")
    learning_rate: float = Field(default=0.1, gt=0.0, le=1.0)
    min_trades: int = Field(default=20, ge=0, description="evaluated trades before a move")
    max_shift: float = Field(default=0.10, gt=0.0, le=1.0, description="per cycle")
    floor: float = Field(default=0.05, ge=0.0, lt=1.0)
    half_life: float = Field(default=50.0, gt=0.0, description="trades (recency decay)")
    every: int = Field(default=1, ge=1, description="a cycle after this many closed trades")
    seed: int = Field(default=0, description="for the randomised policies (thompson)")


ServeEngine = Literal["replay", "paper", "live", "none"]
"""What ``tradebot serve`` runs beside the API: a paper replay of the bundled (or
configured) data, a paper session on live data, a live session, or no engine (the API then
reads the store and fronts engines run elsewhere)."""

MIN_SECRET_BYTES = 32


class ApiSettings(_Section):
    """``tradebot serve``: where it listens, who may call it, how it signs tokens.

    ``environment: development`` lets the server run without a configured JWT secret (a
    random one per process: tokens die with it) and without HTTPS cookies; anything else
    refuses a missing secret at start. A secret that is set must be long and not a default
    in every environment (a "changeme" on a dev box bound to 0.0.0.0 forges tokens as well
    as anywhere)."""

    host: str = Field(default="127.0.0.1", description="bind address; 0.0.0.0 exposes it")
    port: int = Field(default=8000, ge=1, le=65535)
    environment: Literal["development", "production"] = "development"
    public_origin: str = Field(
        default="http://localhost:8000",
        description="the origin browsers use (WebAuthn origin; its host is the RP id)",
    )
    rp_id: str | None = Field(default=None, description="WebAuthn RP id; None = origin's host")
    rp_name: str = "tradebot"
    cors_origins: tuple[str, ...] = Field(
        default=(), description="origins allowed by CORS (never '*': credentials are on)"
    )
    trusted_proxies: tuple[str, ...] = Field(
        default=(),
        description="addresses of reverse proxies whose X-Forwarded-For/-Proto are believed "
        "(the rate limit keys on the client address they give); () = none, the socket's peer "
        "is the client",
    )
    jwt_secret: SecretStr | None = Field(
        default=None, validate_default=True, description="HS256 key, >= 32 bytes"
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="when set, GET /metrics answers only `Authorization: Bearer <token>` "
        "(TRADEBOT_API__METRICS_TOKEN; Prometheus's `authorization.credentials_file`); "
        "unset: /metrics is open to whoever reaches the API's address",
    )
    access_ttl_s: int = Field(default=900, ge=30, le=3600)
    refresh_ttl_s: int = Field(default=7 * 86_400, ge=600, le=90 * 86_400)
    step_up_s: int = Field(default=300, ge=30, le=3600, description="a fresh assertion lasts")
    challenge_ttl_s: int = Field(default=300, ge=30, le=900)
    setup_code_ttl_s: int = Field(default=86_400, ge=60)
    auth_rate_per_minute: int = Field(default=20, ge=1, description="per client, auth routes")
    engine: ServeEngine = "replay"
    replay_speed: float = Field(default=600.0, gt=0, description="the replay's real time ×")
    event_buffer: int = Field(default=10_000, ge=100, description="messages kept for /ws resume")
    resume: bool = Field(
        default=True, description="continue the hosted run a previous server left unfinished"
    )
    read_cache_ms: int = Field(
        default=250, ge=0, le=5000, description="how far behind the store a view may be"
    )
    broker: Literal["sim", "alpaca", "ccxt"] = Field(
        default="sim", description="engine paper: the venue (as `tradebot paper --broker`)"
    )
    symbols: tuple[str, ...] = Field(
        default=(),
        description="what the hosted engine trades; () = every symbol of the bundled replay "
        "data (replay), AAPL,MSFT (paper, live) or BTC/USDT (ccxt)",
    )
    ws_ping_s: float = Field(default=20.0, gt=0, le=300, description="/ws keepalive period")
    ws_auth_timeout_s: float = Field(
        default=5.0, gt=0, le=60, description="/ws: the auth message must come within"
    )
    backtest_workers: int = Field(
        default=2, ge=1, le=32, description="background backtests at once (the rest queue)"
    )
    dashboard_dir: Path | None = Field(
        default=None,
        description="the built dashboard served at / (index.html, assets/); None = the "
        "source tree's dashboard/dist",
    )

    @field_validator("jwt_secret")
    @classmethod
    def _secret_strong_when_set(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        # A field validator (not a model one) so the error names api.jwt_secret and its
        # variable TRADEBOT_API__JWT_SECRET; validate_default runs it when the secret is unset.
        # Unset (or empty) is allowed in development only: the server then signs with a
        # random secret of its process. A weak secret that is set is refused everywhere.
        secret = value.get_secret_value() if value else ""
        if not secret and info.data.get("environment", "development") == "development":
            return value
        if len(secret.encode()) < MIN_SECRET_BYTES or secret.lower() in _DEFAULT_SECRETS:
            raise ValueError(
                f"must be a random value of at least {MIN_SECRET_BYTES} bytes (e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_origin(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # CORS runs with credentials: Starlette answers "*" by echoing any caller's origin.
        if any(origin.strip() == "*" for origin in value):
            raise ValueError(
                "'*' is not allowed (credentials are on: it would admit every site); "
                "list the exact origins"
            )
        return value


_DEFAULT_SECRETS = frozenset({"changeme", "secret", "change-me", "development", "tradebot"})


class NotificationSettings(_Section):
    """Who is told what, and how (``tradebot.ops.notify``; the API reads and edits these).

    Secrets (the bot token, the SMTP password) come from the environment —
    ``TRADEBOT_NOTIFICATIONS__TELEGRAM_BOT_TOKEN``, ``TRADEBOT_NOTIFICATIONS__SMTP_PASSWORD``
    — and are never shown (``SecretStr``)."""

    enabled: bool = True
    channels: tuple[Literal["log", "telegram", "email"], ...] = ("log",)
    min_severity: Literal["info", "warning", "critical"] = "info"
    telegram_per_hour: int = Field(default=10, ge=0, le=1000)
    email_per_hour: int = Field(default=20, ge=0, le=1000)
    daily_summary_at: str | None = Field(
        default="16:30",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="New York time HH:MM (the seed's 16:30, after the close); None = off",
    )
    weekly_digest: bool = True
    large_trade_pnl: Decimal = Field(default=Decimal(1000), ge=0, description="notify above")
    # --- Telegram (Bot API) -------------------------------------------------------------
    telegram_bot_token: SecretStr | None = None
    telegram_chat_id: str | None = Field(default=None, max_length=64)
    telegram_api_url: str = Field(
        default="https://api.telegram.org", description="the Bot API's base URL"
    )
    # --- e-mail (SMTP with STARTTLS) --------------------------------------------------------
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=True, description="refuse to send without STARTTLS")
    smtp_ca_file: str | None = Field(
        default=None, description="CA bundle to verify the SMTP server with (None: system's)"
    )
    email_from: str | None = None
    email_to: tuple[str, ...] = ()
    # --- delivery ----------------------------------------------------------------------
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="per request to a channel")
    retries: int = Field(default=3, ge=0, le=10, description="retries of a failed send")
    redeliver_every_s: float = Field(
        default=60.0, gt=0, le=3600, description="how often a failed channel is tried again"
    )
    error_burst: int = Field(
        default=5, ge=1, le=10_000, description="errors logged within error_burst_window_s"
    )
    error_burst_window_s: float = Field(default=60.0, gt=0, le=86_400)


class LogSettings(_Section):
    level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    json_output: bool | None = Field(default=None, description="None = JSON unless a terminal")


class Settings(BaseSettings):
    """The effective configuration of one tradebot process."""

    model_config = SettingsConfigDict(
        env_prefix="TRADEBOT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )
    _yaml_file: ClassVar[Path | None] = None

    store: StoreSettings = StoreSettings()
    broker: BrokerSettings = BrokerSettings()
    risk: RiskSettings = RiskSettings()
    strategy: StrategySettings = StrategySettings()
    data: DataSettings = DataSettings()
    news: NewsSettings = NewsSettings()
    sentiment: SentimentSettings = SentimentSettings()
    log: LogSettings = LogSettings()
    live: LiveSettings = LiveSettings()
    learning: LearningSettings = LearningSettings()
    instruments: dict[str, InstrumentSettings] = Field(
        default_factory=dict, description="per-symbol tick, lot and minimums"
    )
    api: ApiSettings = ApiSettings()
    notifications: NotificationSettings = NotificationSettings()
    snapshot_interval_s: int = Field(default=86_400, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._yaml_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=cls._yaml_file))
        return tuple(sources)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build :class:`Settings`, turning any problem into one :class:`ConfigError` line."""
    source = "defaults and environment"
    settings_cls: type[Settings] = Settings
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config file {config_file} not found", "check the --config path")
        try:
            yaml.safe_load(config_file.read_text())
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"config file {config_file} is not valid YAML: {exc}".replace("\n", " "),
                "fix the YAML syntax",
            ) from exc
        settings_cls = type("FileSettings", (Settings,), {"_yaml_file": config_file})
        source = str(config_file)
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source), _hint(exc)) from exc


_SECRET_NAME = re.compile(r"secret|password|token|key", re.IGNORECASE)
"""A setting whose value an error line must not echo."""


def _describe(exc: ValidationError, source: str) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "settings"
    got = first.get("input")
    secret = any(_SECRET_NAME.search(str(p)) for p in first["loc"])
    shown = "" if isinstance(got, dict) or (secret and got is not None) else f" (got {got!r})"
    more = f" and {exc.error_count() - 1} more" if exc.error_count() > 1 else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"bad configuration in {source}: {where}: {message}{shown}{more}"


def _hint(exc: ValidationError) -> str:
    loc = [str(p) for p in exc.errors()[0]["loc"]]
    env = "TRADEBOT_" + "__".join(p.upper() for p in loc)
    return f"fix `{'.'.join(loc)}` in the YAML file or the environment variable {env}"


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The settings as plain data with every secret replaced by ``'**********'``."""
    masked: dict[str, Any] = _mask(settings.model_dump(mode="python"))
    return masked


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "**********"
    if isinstance(value, dict):
        return {(k.value if isinstance(k, Enum) else k): _mask(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Path | timedelta):
        return str(value)
    if isinstance(value, str):
        return mask_url(value)
    return value


def mask_url(text: str) -> str:
    """Hide the password of any ``scheme://user:password@host`` URL in ``text``."""
    return _URL_PASSWORD.sub(r"\1**********@", text)


_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
