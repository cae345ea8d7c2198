"""Fuzzing: real paper files mutated byte by byte and token by token must give a site or our own
errors (BuildError, printed as file:line messages), never a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveysite.cache import Cache
from surveysite.errors import BuildError
from surveysite.pipeline import Project, prepare
from tests.conftest import ROOT, STATIC, TEMPLATES

PAPERS = ("tinyllama.md", "tinyllama.zh.md", "pet.md")
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
HOSTILE = [
    ":", "-", "- ", "[", "]", "{", "}", '"', "'", "#", "|", ">", "&a", "*a", "!!python/object:os.system", "\t", "\n",
    "\n---\n", "---", "null", "~", "1e400", ".nan", "-1", "0x10", "2024-02-30", "<script>", "{{ lang }}", "\\0",
    "\x00", "\x85", "\u2028", "🤖", "ﬁ", "../", "javascript:", "$$", "```", "[x](../nothing/)", "![](figures/x.png)",
    "$", "$x_$", "\\left(",
]  # fmt: skip


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped survey's configuration with three of its papers: real files, quick to build."""
    content = tmp_path_factory.mktemp("fuzz") / "content"
    content.mkdir()
    for name in ("site.yaml", "taxonomy.yaml", "benchmarks.yaml"):
        shutil.copyfile(ROOT / "content" / name, content / name)
    (content / "papers").mkdir()
    for name in PAPERS:
        shutil.copyfile(ROOT / "content" / "papers" / name, content / "papers" / name)
    return content


def _outcome(content: Path) -> None:
    """Build in memory; only BuildError may escape (anything else fails the test)."""
    project = Project(content, TEMPLATES, STATIC, content.parent / "_site", search=False, cache=False)
    try:
        _site, files = prepare(project, cache=Cache(None))
        for _file in files:
            pass
    except BuildError as exc:
        assert exc.errors, "a BuildError must carry at least one error"
        for error in exc.errors:
            assert error.path and error.message and "Traceback" not in error.message


def _write_and_build(content: Path, name: str, data: bytes) -> None:
    path = content / "papers" / name
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        _outcome(content)
    finally:
        path.write_bytes(original)


FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    name=st.sampled_from(PAPERS),
    edits=st.lists(
        st.tuples(st.sampled_from(("delete", "insert", "replace")), st.floats(0, 1), st.integers(0, 255)),
        min_size=1,
        max_size=4,
    ),
)
def test_byte_mutations(survey: Path, name: str, edits: list[tuple[str, float, int]]) -> None:
    data = bytearray((survey / "papers" / name).read_bytes())
    for op, where, byte in edits:
        at = min(int(where * len(data)), len(data) - 1)
        if op == "delete":
            del data[at]
        elif op == "insert":
            data.insert(at, byte)
        else:
            data[at] = byte
    _write_and_build(survey, name, bytes(data))


@FUZZ
@given(
    name=st.sampled_from(PAPERS),
    edits=st.lists(
        st.tuples(
            st.sampled_from(("delete", "duplicate", "swap", "hostile")),
            st.floats(0, 1),
            st.floats(0, 1),
            st.sampled_from(HOSTILE),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_token_mutations(survey: Path, name: str, edits: list[tuple[str, float, float, str]]) -> None:
    tokens = TOKEN.findall((survey / "papers" / name).read_text(encoding="utf-8"))
    for op, where, other, hostile in edits:
        i = min(int(where * len(tokens)), len(tokens) - 1)
        j = min(int(other * len(tokens)), len(tokens) - 1)
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i] = hostile
    _write_and_build(survey, name, "".join(tokens).encode("utf-8", "surrogatepass"))
