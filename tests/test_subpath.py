"""The built site works under a GitHub Pages project path: follow every internal link, expect no 404."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.ghpages import serve_pages


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (name in ("href", "src") or (tag == "form" and name == "action")) and value:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def crawl(base: str) -> dict[str, int]:
    """Visit every page and asset reachable from base; return {url: status}; check #anchors exist."""
    seen: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    queue = [base]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, kind, body = _fetch(url)
        seen[url] = status
        if "html" not in kind or status != 200:
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        ids[url] = parser.ids
        for link in parser.urls:
            absolute = urljoin(url, link)
            if urlsplit(absolute).netloc != urlsplit(base).netloc:
                continue
            page, _, fragment = absolute.partition("#")
            if fragment:
                fragments.append((url, page, fragment))
            queue.append(page)
    for source, page, fragment in fragments:
        if page in ids:
            assert fragment in ids[page], f"{source} links to #{fragment}, which {page} does not have"
    return seen


@pytest.mark.parametrize("site", ["fixture", "survey"])
def test_every_internal_link_resolves_under_a_subpath(site: str, basic_site: Path, survey_site: Path) -> None:
    # The prefix is the path of each site's site_url: the 404 page's links are built from it.
    out, prefix = (basic_site, "/repo/") if site == "fixture" else (survey_site, "/surveysite/")
    with serve_pages(out, prefix) as base:
        seen = crawl(base)
        broken = sorted(url for url, status in seen.items() if status != 200)
        assert not broken, broken
        pages = [u for u in seen if u.endswith("/")]
        assert len(pages) >= 10
        # Every built HTML file was reached by following links (nothing orphaned) ...
        built = {p.relative_to(out).as_posix() for p in out.rglob("index.html")}
        reached = {urlsplit(u).path[len(prefix) :] + "index.html" for u in pages}
        assert built <= reached | {"index.html"}
        # ... and the case of a URL matters, as on GitHub Pages.
        status, _, body = _fetch(base + "Papers/")
        assert status == 404
        # The 404 page, served at any depth, still loads its stylesheet.
        css = re.search(rb'href="([^"]+site\.css)"', body)
        assert css is not None
        assert _fetch(urljoin(base + "deep/missing/page/", css.group(1).decode()))[0] == 200
