"""The built dashboard served by the real app from a temporary ``dist`` folder: hashed
assets cached for a year, the single-page app's routes answered with ``index.html``, the
API's paths left to the API, no way out of the folder, text gzipped when asked for, and a
503 page while nothing is built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TEST_SECRET, api_settings
from tradebot.api import create_app
from tradebot.api.dashboard import ASSET_CACHE, dashboard_folder
from tradebot.api.server import auth_context_of
from tradebot.config import Settings
from tradebot.service import Services

INDEX = (
    '<!doctype html><html><head><script type="module" src="/assets/app-abc.js"></script>'
    '<link rel="stylesheet" href="/assets/app-abc.css"></head><body><div id="root"></div>'
    "</body></html>"
)
SCRIPT = "export const answer = 42;\n" * 200
STYLE = "body { margin: 0; color: #222; }\n" * 100
SECRET = "root:x:0:0:the file outside the build"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "site" / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "app-abc.js").write_text(SCRIPT)
    (folder / "assets" / "app-abc.css").write_text(STYLE)
    (folder / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (folder / ".env").write_text(SECRET)
    (tmp_path / "site" / "passwd").write_text(SECRET)
    (tmp_path / "passwd").write_text(SECRET)
    (folder / "assets" / "link.txt").symlink_to(tmp_path / "passwd")
    return folder


def _client(settings: Settings) -> Iterator[TestClient]:
    services = Services.open(settings)
    try:
        app = create_app(services, auth_context_of(services, TEST_SECRET))
        with TestClient(app, base_url="http://localhost:8000") as client:
            yield client
    finally:
        services.close()


@pytest.fixture
def site(db_path: Path, dist: Path) -> Iterator[TestClient]:
    yield from _client(api_settings(f"sqlite:///{db_path}", dashboard_dir=str(dist)))


def test_hashed_assets_are_cached_for_a_year(site: TestClient) -> None:
    script = site.get("/assets/app-abc.js")
    assert script.status_code == 200 and script.text == SCRIPT
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == ASSET_CACHE
    style = site.get("/assets/app-abc.css")
    assert style.text == STYLE and style.headers["content-type"].startswith("text/css")
    assert style.headers["cache-control"] == ASSET_CACHE


@pytest.mark.parametrize(
    "path", ["/", "/portfolio", "/trades", "/trades/trd-1", "/strategies", "/login", "/x.png"]
)
def test_app_routes_answer_the_index_page_uncached(site: TestClient, path: str) -> None:
    page = site.get(path)
    assert page.status_code == 200 and page.text == INDEX
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"


def test_a_file_of_the_build_root_is_served_as_itself(site: TestClient) -> None:
    icon = site.get("/favicon.svg")
    assert icon.status_code == 200 and icon.text.startswith("<svg")
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["cache-control"] == "no-cache"
    assert site.head("/favicon.svg").status_code == 200


def test_the_api_keeps_its_own_answers(site: TestClient, headers: dict[str, str]) -> None:
    missing = site.get("/api/nope", headers=headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    assert site.get("/api").status_code == 404
    assert site.get("/health").json()["status"] == "ok"
    assert site.get("/openapi.json").json()["info"]["title"] == "tradebot API"
    assert site.get("/api/controls/pause", headers=headers).status_code == 405
    portfolio = site.get("/api/portfolio", headers=headers | {"Accept-Encoding": "gzip"})
    assert portfolio.status_code == 200 and "content-encoding" not in portfolio.headers
    assert portfolio.headers["cache-control"] == "no-store"
    assert site.post("/portfolio").status_code == 404  # only GET and HEAD reach the app


def test_a_missing_asset_is_a_404_not_the_page(site: TestClient) -> None:
    missing = site.get("/assets/app-old.js")
    assert missing.status_code == 404 and "<html" not in missing.text


@pytest.mark.parametrize(
    "path",
    [
        "/..%2fpasswd",
        "/..%2f..%2fpasswd",
        "/%2e%2e/passwd",
        "/%2e%2e%2f%2e%2e%2fpasswd",
        "/assets/..%2f..%2fpasswd",
        "/assets/../../passwd",
        "/assets/%2e%2e/%2e%2e/passwd",
        "/assets/link.txt",
        "/.env",
        "/assets/..%5c..%5cpasswd",
        "//etc/passwd",
    ],
)
def test_no_path_leaves_the_build_folder(site: TestClient, path: str) -> None:
    # the encoded dots reach the server as "..": the client tidies only literal ones away
    response = site.get(path)
    assert SECRET not in response.text
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.text == INDEX


def test_text_goes_out_gzipped_when_the_client_accepts_it(site: TestClient) -> None:
    packed = site.get("/assets/app-abc.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(SCRIPT)
    assert packed.text == SCRIPT  # the client decoded it
    assert packed.num_bytes_downloaded == int(packed.headers["content-length"])
    plain = site.get("/assets/app-abc.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == SCRIPT
    refused = site.get("/assets/app-abc.css", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_a_page_seen_before_is_a_304(site: TestClient) -> None:
    first = site.get("/trades")
    again = site.get("/trades", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_rebuild_is_served_without_a_restart(site: TestClient, dist: Path) -> None:
    assert site.get("/").text == INDEX
    (dist / "index.html").write_text("<!doctype html><p>new build</p>")
    (dist / "assets" / "app-new.js").write_text("new")
    assert site.get("/").text == "<!doctype html><p>new build</p>"
    assert site.get("/assets/app-new.js").text == "new"


def test_the_security_headers_admit_the_built_app(site: TestClient) -> None:
    policy = site.get("/").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["connect-src"] == "'self' ws: wss:"
    assert site.get("/").headers["x-frame-options"] == "DENY"


def test_without_a_build_the_app_paths_answer_503(db_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "nothing-built"
    for client in _client(api_settings(f"sqlite:///{db_path}", dashboard_dir=str(empty))):
        page = client.get("/")
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]
        assert "The dashboard is not built" in page.text and "make dashboard" in page.text
        assert client.get("/portfolio").status_code == 503
        assert client.get("/assets/app-abc.js").status_code == 404
        assert client.get("/health").status_code == 200


def test_the_default_folder_is_the_source_trees_build(settings: Settings) -> None:
    folder = dashboard_folder(settings.api)
    assert folder.parts[-2:] == ("dashboard", "dist")
    assert (folder.parent.parent / "pyproject.toml").is_file()


def test_the_folder_cannot_be_set_over_the_api(
    site: TestClient, fresh_headers: dict[str, str]
) -> None:
    response = site.put(
        "/api/trading/config",
        json={"changes": {"api.dashboard_dir": "/etc"}, "reason": "try"},
        headers=fresh_headers,
    )
    assert response.status_code == 400, response.text
    assert "\n" not in response.json()["detail"]
