from __future__ import annotations

from surveysite.markdown import render_markdown
from surveysite.model import Summary
from surveysite.views import ContentsEntry, contents


def test_raw_html_is_escaped_and_headings_shift() -> None:
    summary = render_markdown("## Method 方法\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n")
    assert "<script>" not in summary.html
    assert "&lt;script&gt;" in summary.html
    assert 'href="javascript:' not in summary.html
    assert '<h3 id="method-方法">Method 方法</h3>' in summary.html
    assert summary.headings == ((2, "method-方法", "Method 方法"),)


def test_code_is_highlighted_at_build_time() -> None:
    html = render_markdown("```python\nprint(1)\n```\n").html
    assert html.startswith('<pre class="highlight"><code class="language-python"><span class="nb">print</span>')


def test_unknown_language_is_escaped() -> None:
    html = render_markdown("```nosuchlang\n<b>\n```\n").html
    assert "&lt;b&gt;" in html


def test_tables_and_footnotes() -> None:
    html = render_markdown("| a |\n|---|\n| 1 |\n\nx[^n]\n\n[^n]: note\n").html
    assert "<table>" in html
    assert 'class="footnotes"' in html


def test_inline_and_display_math_become_mathml_at_build_time() -> None:
    summary = render_markdown("Loss $x^2$ here.\n\n$$\n\\frac{a}{b}\n$$\n")
    assert "<math><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>" in summary.html
    assert '<math display="block"><mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>' in summary.html
    assert "xmlns" not in summary.html and "$" not in summary.html and not summary.problems


def test_mathml_escapes_what_html_would_read() -> None:
    html = render_markdown("$a<b$ and $\\text{<i>}$\n").html
    assert "<mo>&lt;</mo>" in html and "<i>" not in html


def test_dollars_as_money_stay_text() -> None:
    for text in ("It costs $5 and $10.", "From $5 to $10", "$5-$10 a run", "a $ x $ b", "escaped \\$x\\$ too"):
        summary = render_markdown(text)
        assert "<math" not in summary.html, text
        assert not summary.problems
    assert "<math" in render_markdown("price $5, or $x$ itself").html


def test_a_formula_latex2mathml_cannot_convert_is_a_problem_at_its_line() -> None:
    body = (
        "First\n\nsecond paragraph\nwith $\\frac{a}$ on its second line and $x_$.\n\n"
        "$$\n\\left( x\n$$\n\n$\\arg x$ and ${a$\n"
    )
    problems = render_markdown(body).problems
    assert [line for line, _ in problems] == [4, 4, 6, 10, 10]
    messages = [message for _, message in problems]
    assert messages[0] == (
        "formula '\\frac{a}' cannot be converted to MathML: \\frac needs a numerator and a denominator: \\frac{a}{b}"
    )
    assert "'x_'" in messages[1] and "nothing to raise or lower" in messages[1]
    assert "'\\left( x'" in messages[2] and "\\left has no \\right" in messages[2]
    assert "does not know the command \\arg" in messages[3]
    assert "braces" in messages[4]


def test_math_in_tables_and_headings() -> None:
    summary = render_markdown("## The $\\alpha$ trick\n\n| a |\n|---|\n| $x_1$ |\n")
    assert "<td><math><mrow><msub><mi>x</mi><mn>1</mn></msub></mrow></math></td>" in summary.html
    assert summary.headings[0][2] == "The \\alpha trick"


def test_heading_text_is_plain() -> None:
    summary = render_markdown("## Results on `MMLU` and *BBH*, [see](x)\n")
    assert summary.headings[0][2] == "Results on MMLU and BBH, see"


def test_contents_nest_subheadings_and_need_enough_headings() -> None:
    headings = ((2, "a", "A"), (3, "a1", "A1"), (3, "a2", "A2"), (2, "b", "B"))
    assert contents(Summary("", headings), 2) == (
        ContentsEntry("a", "A", (ContentsEntry("a1", "A1"), ContentsEntry("a2", "A2"))),
        ContentsEntry("b", "B"),
    )
    assert contents(Summary("", headings[:1]), 2) == ()
    assert contents(Summary("", headings[:2]), 3) == ()
    # A body that starts at a subheading lists it at the top.
    assert contents(Summary("", ((3, "x", "X"), (2, "y", "Y"))), 2) == (
        ContentsEntry("x", "X"),
        ContentsEntry("y", "Y"),
    )
