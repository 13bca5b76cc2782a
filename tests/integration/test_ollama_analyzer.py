"""The LLM analyzer against a local server that speaks Ollama's ``/api/chat``.

The server (``http.server`` on 127.0.0.1, in a thread) answers with the JSON shape of a
real non-streaming Ollama chat reply; each test scripts its replies: good JSON verdicts,
malformed ones, HTTP errors, a slow answer, or no server at all.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.optional import require

require("ollama")

from tradebot.adapters.ollama import LlmAnalyzer, MalformedReplyError, parse_reply  # noqa: E402
from tradebot.domain import Article  # noqa: E402
from tradebot.sentiment import Label, LexiconAnalyzer, TieredAnalyzer  # noqa: E402


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay_s: float = 0.0


@dataclass
class FakeOllama:
    """Scripted replies in order (the last one repeats); every request body is kept."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def next_reply(self) -> Reply:
        return self.replies.popleft() if len(self.replies) > 1 else self.replies[0]


def _handler(fake: FakeOllama) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append({"path": self.path, **body})
            reply = fake.next_reply()
            time.sleep(reply.delay_s)
            if reply.status != 200:
                payload: dict[str, Any] = {"error": f"scripted failure {reply.status}"}
            else:
                payload = {
                    "model": body["model"],
                    "created_at": "2024-07-01T12:00:00.123456Z",
                    "message": {"role": "assistant", "content": reply.content},
                    "done_reason": "stop",
                    "done": True,
                    "total_duration": 812_345_000,
                    "load_duration": 20_000_000,
                    "prompt_eval_count": 120,
                    "prompt_eval_duration": 300_000_000,
                    "eval_count": 40,
                    "eval_duration": 480_000_000,
                }
            data = json.dumps(payload).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class Server:
    def __init__(self, fake: FakeOllama, port: int = 0) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(fake))
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def fake() -> FakeOllama:
    return FakeOllama()


@pytest.fixture
def server(fake: FakeOllama) -> Iterator[Server]:
    running = Server(fake)
    yield running
    running.stop()


class Clock:
    """A monotonic clock moved by hand, for the cooldown."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _verdict(score: float, confidence: float = 0.9, **extra: Any) -> str:
    return json.dumps({"score": score, "confidence": confidence, "reasoning": "r", **extra})


def _analyzer(server: Server, clock: Clock | None = None, **kwargs: Any) -> LlmAnalyzer:
    options: dict[str, Any] = {"timeout_s": 5.0, "retries": 2, "retry_wait_s": 0.0}
    options.update(kwargs)
    return LlmAnalyzer(host=server.host, model="llama3.1:8b", monotonic=clock or Clock(), **options)


def test_a_verdict_is_a_score_with_the_models_name(fake: FakeOllama, server: Server) -> None:
    fake.replies.append(Reply(_verdict(-0.8, 0.85, tickers=["TSLA"])))
    analyzer = _analyzer(server)
    (result,) = analyzer.score_texts(["Tesla shares plunge after deliveries miss"])
    assert result is not None
    assert (result.score, result.confidence, result.label, result.model) == (
        -0.8,
        0.85,
        Label.NEGATIVE,
        "llm",
    )
    verdict = analyzer.verdict("Tesla shares plunge", "TSLA")
    assert verdict is not None and verdict.tickers == ("TSLA",)
    request = fake.requests[0]
    assert request["path"] == "/api/chat"
    assert request["model"] == "llama3.1:8b"
    assert request["format"] == "json" and request["stream"] is False
    assert request["options"]["temperature"] == 0
    roles = [m["role"] for m in request["messages"]]
    assert roles == ["system", "user"]
    assert "Tesla shares plunge after deliveries miss" in request["messages"][1]["content"]
    assert "TSLA" in fake.requests[1]["messages"][1]["content"]


def test_the_article_route_names_the_ticker(fake: FakeOllama, server: Server) -> None:
    fake.replies.append(Reply(_verdict(0.1, 0.5)))
    article = Article(
        source="t",
        url="https://example.com/a",
        title="Apple and Microsoft report",
        body="Both beat.",
        published_at=datetime(2020, 1, 2, tzinfo=UTC),
        content_hash="a",
    )
    result = _analyzer(server).score_article(article, "MSFT")
    assert result is not None and result.label is Label.NEUTRAL
    user = fake.requests[0]["messages"][1]["content"]
    assert "MSFT" in user and "Apple and Microsoft report. Both beat." in user


@pytest.mark.parametrize(
    "bad",
    [
        "Sure! The sentiment is positive.",
        json.dumps([0.5, 0.9]),
        json.dumps({"score": 1.7, "confidence": 0.9}),
        json.dumps({"confidence": 0.9}),
        "",
    ],
)
def test_a_malformed_reply_is_retried_then_accepted(
    fake: FakeOllama, server: Server, bad: str
) -> None:
    fake.replies.extend([Reply(bad), Reply(_verdict(0.6))])
    (result,) = _analyzer(server).score_texts(["x"])
    assert result is not None and result.score == 0.6
    assert len(fake.requests) == 2


def test_malformed_every_time_is_no_score_and_the_next_item_still_runs(
    fake: FakeOllama, server: Server
) -> None:
    fake.replies.extend([Reply("not json")] * 3 + [Reply(_verdict(0.4))])
    results = _analyzer(server, retries=2).score_texts(["first", "second"])
    assert results[0] is None
    assert results[1] is not None and results[1].score == 0.4
    assert len(fake.requests) == 4  # three tries for the first, one for the second


def test_server_errors_are_retried(fake: FakeOllama, server: Server) -> None:
    fake.replies.extend([Reply(status=500), Reply(status=503), Reply(_verdict(0.3))])
    (result,) = _analyzer(server, retries=2).score_texts(["x"])
    assert result is not None and result.score == 0.3
    assert len(fake.requests) == 3


def test_a_slow_answer_times_out_into_no_score(fake: FakeOllama, server: Server) -> None:
    fake.replies.append(Reply(_verdict(0.3), delay_s=1.5))
    started = time.perf_counter()
    (result,) = _analyzer(server, timeout_s=0.3, retries=0).score_texts(["x"])
    assert result is None
    assert time.perf_counter() - started < 1.4


def test_a_missing_model_makes_the_tier_unavailable_for_the_cooldown(
    fake: FakeOllama, server: Server
) -> None:
    fake.replies.append(Reply(status=404))
    clock = Clock()
    analyzer = _analyzer(server, clock, cooldown_s=60.0)
    assert analyzer.score_texts(["a", "b", "c"]) == [None, None, None]
    assert len(fake.requests) == 1  # no retry, no further calls while unavailable
    assert not analyzer.available


def test_ollama_down_then_back(fake: FakeOllama) -> None:
    first = Server(fake)
    port = first.port
    first.stop()
    clock = Clock()
    analyzer = LlmAnalyzer(
        host=f"http://127.0.0.1:{port}", timeout_s=2.0, retry_wait_s=0.0, monotonic=clock
    )
    started = time.perf_counter()
    assert analyzer.score_texts(["a", "b"]) == [None, None]
    assert time.perf_counter() - started < 2.0 and not analyzer.available

    fake.replies.append(Reply(_verdict(0.7)))
    second = Server(fake, port=port)
    try:
        assert analyzer.score_texts(["c"]) == [None]  # still cooling down: not even asked
        assert fake.requests == []
        clock.now += 61.0
        (result,) = analyzer.score_texts(["d"])
        assert result is not None and result.score == 0.7 and analyzer.available
    finally:
        second.stop()


def test_a_tiered_chain_carries_on_without_ollama(fake: FakeOllama) -> None:
    gone = Server(fake)
    gone.stop()
    llm = LlmAnalyzer(host=gone.host, timeout_s=2.0, retry_wait_s=0.0)
    tiered = TieredAnalyzer([LexiconAnalyzer(), llm], threshold=0.99)
    results = tiered.score_texts(["Shares rise", "HEICO Q4 2019 Earnings Preview"])
    assert [r.model if r else None for r in results] == ["lexicon", "lexicon"]


def test_parse_reply_names_the_problem() -> None:
    with pytest.raises(MalformedReplyError, match="reply field score"):
        parse_reply(json.dumps({"score": "high", "confidence": 0.5}))
    assert parse_reply(_verdict(-0.2, 0.4, tickers=["AAPL"], extra="ignored")).tickers == ("AAPL",)
