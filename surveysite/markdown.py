"""Render stage helper: Markdown bodies to HTML (CommonMark, tables, footnotes, anchors, Pygments)."""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from typing import Any, cast

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from surveysite.cache import Cache
from surveysite.model import Summary
from surveysite.parallel import parallel_map

_FORMATTER = HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=4096)
def _highlight(code: str, lang: str) -> str:
    """Highlighted `<pre>` for a fence; cached because benchmarks repeat the same snippets."""
    name = lang.split()[0] if lang else ""
    try:
        lexer = get_lexer_by_name(name) if name else None
    except ClassNotFound:
        lexer = None
    inner = pygments_highlight(code, lexer, _FORMATTER) if lexer else html.escape(code)
    label = f' class="language-{html.escape(name)}"' if name else ""
    return f'<pre class="highlight"><code{label}>{inner}</code></pre>\n'


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "highlight": lambda c, lang, _attrs: _highlight(c, lang)})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=3)
    image = cast(Any, md.renderer).rules["image"]

    def lazy_image(_renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        # Figures sit below the fold in long summaries: the browser fetches them when needed.
        tokens[index].attrSet("loading", "lazy")
        tokens[index].attrSet("decoding", "async")
        return str(image(tokens, index, options, env))

    md.add_render_rule("image", lazy_image)
    return md


_PARSER = _make_parser()


def render_markdown(body: str) -> Summary:
    """HTML and the table of contents (level-2 and level-3 headings) of a Markdown body.

    Headings move down one level: the page owns <h1> and the section heading around the body.
    """
    tokens = _PARSER.parse(body)
    headings = []
    links: list[tuple[int, str]] = []
    images: list[tuple[int, str, str]] = []
    for token in tokens:
        if token.type != "inline":
            continue
        line = (token.map[0] + 1) if token.map else 1
        for child in token.children or ():
            if child.type == "link_open" and child.attrGet("href"):
                links.append((line, str(child.attrGet("href"))))
            elif child.type == "image":
                images.append((line, str(child.attrGet("src") or ""), child.content.strip()))
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            if token.type == "heading_open" and token.attrGet("id"):
                headings.append((level, str(token.attrGet("id")), tokens[index + 1].content))
            token.tag = f"h{min(level + 1, 6)}"
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return Summary(html, tuple(headings), tuple(links), tuple(images))


def pygments_css() -> str:
    """Stylesheet for highlighted code: a light theme, and a dark one under prefers-color-scheme."""
    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def render_summaries(bodies: Iterable[str], cache: Cache) -> dict[str, Summary]:
    """Every distinct body rendered once: from the cache when seen before, else on every core."""
    summaries: dict[str, Summary] = {}
    todo: list[tuple[str, str]] = []
    for body in dict.fromkeys(bodies):
        key = cache.key("summary", body)
        hit = cache.get(key)
        if hit is None:
            todo.append((key, body))
        else:
            summaries[body] = hit
    for (key, body), summary in zip(todo, parallel_map(render_markdown, [b for _, b in todo]), strict=True):
        cache.put(key, summary)
        summaries[body] = summary
    return summaries
