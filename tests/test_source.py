from __future__ import annotations

from pathlib import Path

import pytest

from surveysite.errors import BuildError
from surveysite.source import load_markdown, parse_yaml, split_front_matter


def test_split_front_matter_positions() -> None:
    front, body, line = split_front_matter("---\na: 1\nb: 2\n---\nHello\n", "x.md")
    assert front == "a: 1\nb: 2"
    assert body == "Hello\n"
    assert line == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [("Hello\n", "no front matter"), ("---\na: 1\n", "never closed"), ("", "no front matter")],
)
def test_split_front_matter_errors(text: str, message: str) -> None:
    with pytest.raises(BuildError) as info:
        split_front_matter(text, "x.md")
    assert message in info.value.errors[0].message


def test_yaml_positions_include_offset() -> None:
    doc = parse_yaml("title: x\nmodels:\n  - name: m\n    params: 1B\n", "x.md", first_line=2)
    assert doc.values[("title",)] == (2, 8)
    assert doc.values[("models", 0, "params")] == (5, 13)
    assert doc.keys[("models", 0, "params")] == (5, 5)
    assert doc.at(("models", 0, "missing"), "m").line == 4  # falls back to the parent mapping


def test_yaml_syntax_error_has_line() -> None:
    with pytest.raises(BuildError) as info:
        parse_yaml("a: 1\nb: [1, 2\n", "x.yaml")
    error = info.value.errors[0]
    assert error.path == "x.yaml"
    assert error.line == 3
    assert error.message.startswith("invalid YAML:")


def test_duplicate_key_is_an_error() -> None:
    with pytest.raises(BuildError) as info:
        parse_yaml("a: 1\na: 2\n", "x.yaml")
    assert str(info.value.errors[0]) == (
        "x.yaml:2:1: error: duplicate key 'a' (first on line 1); YAML would keep only the last value, so remove one"
    )


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nBody\r\n")
    doc = load_markdown(path, "x.md")
    assert doc.data == {"title": "x"}
    assert doc.body == "Body\n"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    with pytest.raises(BuildError) as info:
        load_markdown(path, "x.md")
    assert "not valid UTF-8" in str(info.value.errors[0])
    assert info.value.errors[0].line == 2
