"""Pelican settings for the bench site; bench/pelican_site.py copies this file next to the content.

Paths are relative to this file (Pelican resolves PATH, OUTPUT_PATH, THEME and CACHE_PATH so).
site.json, written by the converter, holds the taxonomy and benchmarks the templates look up.
"""

import json
from pathlib import Path

_SITE = json.loads((Path(__file__).resolve().parent / "site.json").read_text(encoding="utf-8"))

SITENAME = _SITE["title"]["en"]
SITEDESCRIPTION = _SITE["description"]["en"]
SITEURL = ""
PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
TECHNIQUES = _SITE["techniques"]
"""id -> {name, definition, group}: tags are technique ids, templates show these names."""
BENCHMARKS = _SITE["benchmarks"]
"""id -> {name, metric}."""

# Same URLs as surveysite: papers/<slug>/, zh/papers/<slug>/, techniques/<id>/, <page>/.
ARTICLE_PATHS = ["papers"]
PAGE_PATHS = ["pages"]
ARTICLE_URL = "papers/{slug}/"
ARTICLE_SAVE_AS = "papers/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/papers/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/papers/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
TAG_URL = "techniques/{slug}/"
TAG_SAVE_AS = "techniques/{slug}/index.html"
TAGS_SAVE_AS = "techniques/index.html"
DIRECT_TEMPLATES = ["index", "tags"]
DEFAULT_PAGINATION = False

# Pages surveysite does not have: categories, authors, archives, feeds.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
STATIC_PATHS: list[str] = []

# Pygments highlighting (as surveysite), heading anchors (toc), tables and fenced code (extra).
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}

# The runner deletes cache/ before cold builds; warm (--edit) builds reuse parsed content.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"

JINJA_FILTERS = {"fromjson": json.loads}
