"""Render stage helper: Markdown bodies to HTML (CommonMark, tables, footnotes, anchors, Pygments,
$math$ as MathML)."""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from surveysite import parallel
from surveysite.cache import Cache
from surveysite.model import Summary
from surveysite.parallel import parallel_iter

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# markdown-it, Pygments and latex2mathml are imported when a body is first rendered, not with
# this module: a rebuild whose bodies are all cached never needs them (a tenth of a second).


@functools.cache
def _formatter() -> Any:
    """One formatter for every fence: making one costs more than highlighting a short snippet."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@functools.cache
def _lexer(name: str) -> Any:
    """One lexer per language, as one formatter: Pygments finds a lexer by name by walking its
    whole list of lexers (a tenth of highlighting a corpus of short snippets), and lexing leaves
    the lexer as it was."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


@functools.lru_cache(maxsize=4096)
def _highlight(code: str, lang: str) -> str:
    """Highlighted `<pre>` for a fence; cached because benchmarks repeat the same snippets."""
    from pygments import highlight as pygments_highlight

    name = lang.split()[0] if lang else ""
    lexer = _lexer(name) if name else None
    inner = pygments_highlight(code, lexer, _formatter()) if lexer else html.escape(code)
    label = f' class="language-{html.escape(name)}"' if name else ""
    return f'<pre class="highlight"><code{label}>{inner}</code></pre>\n'


_FENCES: list[Cache] = []
"""The build cache, while this process renders a few edited bodies itself: their fences are
looked up there first (every build puts there the fences it highlighted, those of its render
workers too). A summary's prose is edited far more often than its code, and Pygments making
the lexer for an unchanged snippet was half of a one-paper rebuild at 1,000 papers."""
_HIGHLIGHTED: dict[tuple[str, str], str] = {}
"""(language, code) -> HTML of the fences this process highlighted for the body it renders."""


def _fence(code: str, lang: str) -> str:
    if _FENCES and isinstance(found := _FENCES[0].get(_FENCES[0].key("fence", lang, code)), str):
        return found
    _HIGHLIGHTED[(lang, code)] = highlighted = _highlight(code, lang)
    return highlighted


def _rendered(body: str) -> tuple[Summary, tuple[tuple[str, str, str], ...]]:
    """render_markdown(body), and the (language, code, HTML) of the fences it highlighted, for
    the build (not a render worker, which cannot write it) to put in the cache."""
    _HIGHLIGHTED.clear()
    summary = render_markdown(body)
    return summary, tuple((lang, code, html) for (lang, code), html in _HIGHLIGHTED.items())


_LATEX_REASONS: dict[str, str] = {
    "NumeratorNotFoundError": "\\frac has no numerator",
    "DenominatorNotFoundError": "\\frac has no denominator",
    "ExtraLeftOrMissingRightError": "a \\left has no \\right",
    "MissingSuperScriptOrSubscriptError": "'^' or '_' has nothing to raise or lower",
    "DoubleSubscriptsError": "two subscripts on one symbol (group them: x_{ab})",
    "DoubleSuperscriptsError": "two superscripts on one symbol (group them: x^{ab})",
    "NoAvailableTokensError": "a command is missing its argument",
    "InvalidStyleForGenfracError": "\\genfrac has an invalid style",
    "MissingEndError": "a \\begin has no \\end",
    "InvalidAlignmentError": "an array has an invalid column alignment",
    "InvalidWidthError": "an invalid width",
    "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum",
}
_SCRIPT = "a subscript or superscript is missing"
_LIMIT = "an accent or a limit is missing its argument"
_ARITY = {
    "mfrac": (2, "\\frac needs a numerator and a denominator: \\frac{a}{b}"),
    "mroot": (2, "a root is missing its argument"),
    "msub": (2, _SCRIPT),
    "msup": (2, _SCRIPT),
    "msubsup": (3, _SCRIPT),
    "munder": (2, _LIMIT),
    "mover": (2, _LIMIT),
    "munderover": (3, _LIMIT),
}
"""Children a MathML element must have, and what is wrong without them: latex2mathml leaves one
out for `\\frac{a}` without failing."""
_COMMAND = re.compile(r"\\[A-Za-z]+")
_BRACE = re.compile(r"\\.|[{}]", re.DOTALL)


def _braces_balance(latex: str) -> bool:
    depth = 0
    for match in _BRACE.finditer(latex):
        depth += {"{": 1, "}": -1}.get(match.group(), 0)
        if depth < 0:
            return False
    return depth == 0


def math_to_mathml(latex: str, *, display: bool) -> str:
    """One formula as a <math> element (display="block" for $$...$$), or ValueError saying why
    it cannot be shown. latex2mathml is lenient: an unknown command, an unclosed brace or a
    missing argument would otherwise reach the page as broken MathML, so those are errors too."""
    if not _braces_balance(latex):
        raise ValueError("its braces { } do not balance")
    from latex2mathml import exceptions
    from latex2mathml.converter import convert as latex_to_mathml

    try:
        output = latex_to_mathml(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises bare Exception subclasses, and IndexError at times
        known = type(exc).__name__ if type(exc).__module__ == exceptions.__name__ else ""
        raise ValueError(_LATEX_REASONS.get(known) or str(exc) or type(exc).__name__) from None
    try:
        root = ET.fromstring(output.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "", 1))
    except ET.ParseError:
        raise ValueError("latex2mathml makes malformed MathML of it (a stray '&' outside an environment?)") from None
    for element in root.iter():
        unknown = _COMMAND.search(element.text or "")
        if unknown:
            raise ValueError(f"latex2mathml does not know the command {unknown.group()}")
        wanted, problem = _ARITY.get(element.tag, (len(element), ""))
        if len(element) != wanted:
            raise ValueError(problem)
    # HTML needs no namespace; inline is the default display.
    root.attrib.clear()
    if display:
        root.set("display", "block")
    return ET.tostring(root, encoding="unicode")


def _math_html(_renderer: Any, tokens: Sequence[Token], index: int, _options: Any, _env: Any) -> str:
    """The MathML render_markdown made beforehand (and the source, escaped, if it could not)."""
    token = tokens[index]
    mathml = token.meta.get("mathml")
    if mathml is None:
        return f'<code class="math-error">{html.escape(token.content)}</code>'
    return f"{mathml}\n" if token.type == "math_block" else str(mathml)


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "highlight": lambda c, lang, _attrs: _fence(c, lang)})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # Pandoc's rule for inline math: no space inside the dollars and no digit right after the
    # closing one, so that "costs $5 and $10" stays text. No labels, no blank lines in $$...$$.
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, allow_blank_lines=False)
    md.add_render_rule("math_inline", _math_html)
    md.add_render_rule("math_block", _math_html)
    md.use(anchors_plugin, min_level=2, max_level=3)
    image = cast(Any, md.renderer).rules["image"]

    def lazy_image(_renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        # Figures sit below the fold in long summaries: the browser fetches them when needed.
        tokens[index].attrSet("loading", "lazy")
        tokens[index].attrSet("decoding", "async")
        return str(image(tokens, index, options, env))

    md.add_render_rule("image", lazy_image)
    return md


def render_markdown(body: str) -> Summary:
    """HTML and the table of contents (level-2 and level-3 headings) of a Markdown body.

    Headings move down one level: the page owns <h1> and the section heading around the body.
    """
    parser = _parser()
    tokens = parser.parse(body)
    headings = []
    links: list[tuple[int, str]] = []
    images: list[tuple[int, str, str]] = []
    problems: list[tuple[int, str]] = []

    def convert(token: Token, line: int) -> None:
        try:
            token.meta["mathml"] = math_to_mathml(token.content.strip(), display=token.type == "math_block")
        except ValueError as exc:
            formula = " ".join(token.content.split())
            problems.append((line, f"formula '{formula}' cannot be converted to MathML: {exc}"))

    for token in tokens:
        line = (token.map[0] + 1) if token.map else 1
        if token.type == "math_block":
            convert(token, line)
        if token.type != "inline":
            continue
        cursor = 0
        for child in token.children or ():
            if child.type == "link_open" and child.attrGet("href"):
                links.append((line, str(child.attrGet("href"))))
            elif child.type == "image":
                images.append((line, str(child.attrGet("src") or ""), child.content.strip()))
            elif child.type == "math_inline":
                # The line of the formula itself, not of its paragraph's start.
                found = token.content.find(f"${child.content}$", cursor)
                cursor = max(found, cursor)
                convert(child, line + token.content.count("\n", 0, cursor))
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            if token.type == "heading_open" and token.attrGet("id"):
                headings.append((level, str(token.attrGet("id")), _plain_text(tokens[index + 1])))
            token.tag = f"h{min(level + 1, 6)}"
    html = parser.renderer.render(tokens, parser.options, {})
    return Summary(html, tuple(headings), tuple(links), tuple(images), tuple(problems))


def _plain_text(inline: Token) -> str:
    """A heading's words without their Markdown: `code` and $math$ keep their source."""
    kept = ("text", "code_inline", "math_inline", "softbreak")
    return "".join(" " if c.type == "softbreak" else c.content for c in inline.children or () if c.type in kept).strip()


def pygments_css() -> str:
    """Stylesheet for highlighted code: a light theme, and a dark one under prefers-color-scheme."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def render_summaries(bodies: Iterable[str], cache: Cache) -> dict[str, Summary]:
    """Every distinct body rendered once: from the cache when seen before, else on every core.
    A resident cache also keeps the previous build's (key, summary) by body, which finds an
    unchanged body without hashing it (most of this stage at 10,000 papers)."""
    summaries: dict[str, Summary] = {}
    keyed: dict[str, tuple[str, Summary]] = {}
    before = cache.recall(_RENDERED)
    known: dict[str, tuple[str, Summary]] = before if isinstance(before, dict) else {}
    todo: list[tuple[str, str]] = []
    unknown: dict[str, str] = {}
    for body in dict.fromkeys(bodies):
        if (found := known.get(body)) is not None:
            cache.touch(found[0])
            keyed[body] = found
            summaries[body] = found[1]
        else:
            unknown[body] = cache.key("summary", body)
    cache.expect(list(unknown.values()))
    for body, key in unknown.items():
        hit = cache.get(key)
        if hit is None:
            todo.append((key, body))
        else:
            keyed[body] = (key, hit)
            summaries[body] = hit
    if todo:
        _parser()  # made once here rather than in every worker
    if len(todo) < parallel.MINIMUM:
        _FENCES.append(cache)
    try:
        # Streamed: each rendering is replaced by its fresh copy as it arrives, not all held twice.
        for (key, body), (rendered, fences) in zip(todo, parallel_iter(_rendered, [b for _, b in todo]), strict=True):
            for lang, code, html in fences:
                cache.put(cache.key("fence", lang, code), html)
            summary = cache.put_fresh(key, rendered)
            keyed[body] = (key, summary)
            summaries[body] = summary
    finally:
        _FENCES.clear()
    cache.remember(_RENDERED, keyed)
    return summaries


_RENDERED = "markdown:rendered-bodies"
"""The resident cache's entry of the previous build's renderings (never on disk)."""
