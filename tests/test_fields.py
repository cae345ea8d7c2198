"""The front-matter contract is declared once (surveysite.fields); everything else follows it."""

from __future__ import annotations

import datetime as dt
import os
import re

from surveysite import fields
from surveysite.load import load_content
from surveysite.scaffold import paper_scaffold
from surveysite.schema import paper_schema
from surveysite.validate import PAPER_OPTIONAL, PAPER_REQUIRED, TRANSLATABLE, validate
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "content-format.md"
BLOCK = re.compile(r"(<!-- fields:[^\n]*-->\n)(.*?)(<!-- /fields -->)", re.DOTALL)


def test_the_validator_takes_its_keys_from_the_declaration() -> None:
    assert tuple(sorted(PAPER_REQUIRED + PAPER_OPTIONAL, key=_order)) == PAPER_REQUIRED + PAPER_OPTIONAL
    assert set(PAPER_REQUIRED) == {f.name for f in fields.PAPER_FIELDS if f.required}
    assert set(TRANSLATABLE) == {"title", "short_name", "tldr"}


def _order(name: str) -> tuple[bool, int]:
    declared = [f.name for f in fields.PAPER_FIELDS]
    return (name not in PAPER_REQUIRED, declared.index(name))


def test_the_schema_has_exactly_the_declared_fields() -> None:
    site = validate(load_content(ROOT / "content"))
    schema = paper_schema(site)
    assert list(schema["properties"]) == [f.name for f in fields.PAPER_FIELDS]
    assert schema["required"] == list(PAPER_REQUIRED)
    for field in fields.PAPER_FIELDS:
        assert schema["properties"][field.name]["description"] == field.doc


def test_the_docs_show_the_declared_fields() -> None:
    text = DOCS.read_text(encoding="utf-8")
    match = BLOCK.search(text)
    assert match, "docs/content-format.md has lost its generated field table"
    if os.environ.get("UPDATE_DOCS"):
        DOCS.write_text(BLOCK.sub(lambda m: m.group(1) + fields.markdown_table() + m.group(3), text), encoding="utf-8")
        return
    assert match.group(2) == fields.markdown_table()


def test_the_scaffold_mentions_every_field() -> None:
    scaffold = paper_scaffold("x", dt.date(2026, 1, 1))
    for field in fields.PAPER_FIELDS:
        assert re.search(rf"^#? ?{field.name}:", scaffold, re.MULTILINE), field.name
