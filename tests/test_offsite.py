"""The build refuses pages that would load anything from another site; every page carries the CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from surveysite.cli import main
from surveysite.offsite import offsite_loads
from surveysite.output import OutputFile
from surveysite.render import CSP
from tests.conftest import make_content


def _urls(html: str) -> list[str]:
    return [
        e.message.split(" loads ")[1].split(" from another site")[0]
        for e in offsite_loads([OutputFile("p.html", html.encode())])
    ]


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://cdn.example/x.png">',
        "<IMG SRC=//cdn.example/x.png>",
        '<script src="http://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example/css">',
        '<link rel="preload" as="font" href="https://fonts.example/f.woff2">',
        '<img srcset="a.png 1x, https://cdn.example/b.png 2x">',
        '<iframe src="https://tracker.example/"></iframe>',
        '<video poster="https://cdn.example/p.jpg"></video>',
        '<svg><image href="https://cdn.example/i.png"/></svg>',
        '<object data="https://cdn.example/o.swf"></object>',
        "<img src='&#104;ttps://cdn.example/x.png'>",
    ],
)
def test_loading_from_another_site_is_an_error(html: str) -> None:
    assert len(_urls(html)) == 1


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://arxiv.org/abs/2401.02385">paper</a>',
        '<link rel="canonical" href="https://example.org/">',
        '<link rel="alternate" hreflang="zh-Hans" href="https://example.org/zh/">',
        '<link rel="alternate" type="application/atom+xml" href="feed.xml">',
        '<img src="../../assets/x.png">',
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
        '<meta property="og:image" content="https://example.org/assets/share.png">',
        '<script src="../assets/site.js" defer></script>',
    ],
)
def test_links_and_own_files_are_fine(html: str) -> None:
    assert _urls(html) == []


def test_a_remote_image_in_a_summary_fails_the_build_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path)
    paper = content / "papers" / "alpha.md"
    paper.write_text(paper.read_text() + "\n![chart](https://cdn.example/chart.png)\n")
    out = tmp_path / "_site"
    status = main(["build", "--content", str(content), "--out", str(out), "--no-search"])
    err = capsys.readouterr().err
    assert status == 1
    assert re.search(r"papers/alpha\.md:\d+: error: image 'https://cdn.example/chart.png' is from another site", err)
    assert not out.exists()


def test_every_page_allows_only_its_own_origin(survey_site: Path) -> None:
    assert "default-src 'self'" in CSP and "http" not in CSP and "unsafe-inline" not in CSP
    for page in survey_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">' in html, page
        assert offsite_loads([OutputFile(str(page), html.encode())]) == []
