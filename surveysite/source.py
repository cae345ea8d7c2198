"""Load stage: read content files into RawDocuments that remember where every value came from."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from surveysite.errors import BuildError, SourceError, os_error

Key = tuple[str | int, ...]
"""Path to a value inside a YAML document, e.g. ('models', 0, 'params')."""

if TYPE_CHECKING:
    import yaml
# PyYAML is imported when a file is first parsed, not with this module: a rebuild whose files are
# all cached never needs it.


@functools.cache
def _loader() -> Any:
    """libyaml when PyYAML was built with it (about ten times faster); same nodes and marks."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_FILE_BYTES = 2_000_000
"""A summary is a few kilobytes; anything this large is a mistake, not content."""
MAX_DEPTH = 64
"""Content nests four or five levels; deeper YAML is a mistake or an attack on the parser."""
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters, DEL too, but not tab and newline: invisible in an editor, they
would travel into the HTML, the feeds and the BibTeX (a NUL ends a C string in LaTeX tools)."""
_FRONT_MATTER_HINT = "the file must start with a line '---' followed by YAML and another '---'"


@dataclass(frozen=True)
class RawDocument:
    """A content file split into data and body, with a position for every YAML value."""

    path: str
    """Display path used in error messages."""
    data: Any
    """The parsed YAML (front matter for Markdown files)."""
    body: str
    """Markdown after the front matter ('' for YAML files)."""
    body_line: int
    """1-based line of the body's first line in the file."""
    values: Mapping[Key, tuple[int, int]] = field(default_factory=dict)
    """(line, column) of each value, 1-based."""
    keys: Mapping[Key, tuple[int, int]] = field(default_factory=dict)
    """(line, column) of each mapping key, 1-based."""
    digest: bytes = b""
    """Of the YAML text (the front matter, for a Markdown file): equal digests, equal data."""

    def with_positions(self, values: Mapping[Key, tuple[int, int]], keys: Mapping[Key, tuple[int, int]]) -> RawDocument:
        """This document with other position tables: dataclasses.replace, at a quarter of its cost
        (a cached document gets its tables this way, 20,000 times in a 10,000-paper rebuild)."""
        return RawDocument(self.path, self.data, self.body, self.body_line, values, keys, self.digest)

    def at(self, key: Key, message: str, *, on_key: bool = False) -> SourceError:
        """An error positioned at a value (or its key), falling back to its nearest parent."""
        table = self.keys if on_key else self.values
        probe = key
        while probe and probe not in table:
            probe = probe[:-1]
        line, column = table.get(probe) or self.values.get(probe) or (1, 0)
        return SourceError(self.path, line, column, message)


def read_text(path: Path, display: str, raw: bytes | None = None) -> str:
    """Read UTF-8 (a BOM is accepted); raise BuildError naming the file otherwise. `raw` is the
    file's bytes when the caller has read them already."""
    try:
        size = path.stat().st_size if raw is None else len(raw)
        if size > MAX_FILE_BYTES:
            raise BuildError(
                [
                    SourceError(
                        display,
                        0,
                        0,
                        f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} for a content file;"
                        " keep summaries short and link to large material instead",
                    )
                ]
            )
        raw = path.read_bytes() if raw is None else raw
    except OSError as exc:
        raise BuildError([SourceError(display, 0, 0, f"cannot read file: {os_error(exc).message}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(
            [SourceError(display, line, 0, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if CONTROL.search(text):
        raise BuildError(_control_errors(text, display))
    return text


def control_message(char: str) -> str:
    return f"control character U+{ord(char):04X} is not allowed in content; delete it (only tab and newline are)"


def _control_errors(text: str, display: str) -> list[SourceError]:
    """Every control character in the raw text, at its line and column."""
    errors = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in CONTROL.finditer(line):
            errors.append(SourceError(display, number, match.start() + 1, control_message(match.group())))
    return errors


def split_front_matter(text: str, display: str) -> tuple[str, str, int]:
    """Return (yaml, body, body_line) for a Markdown file that starts with a `---` fence."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise BuildError(
            [
                SourceError(
                    display,
                    1,
                    1,
                    f"no front matter: {_FRONT_MATTER_HINT}",
                )
            ]
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() == "---":
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    raise BuildError([SourceError(display, 1, 1, "front matter is never closed: add a line '---' after the YAML")])


def parse_yaml(text: str, display: str, first_line: int = 1) -> RawDocument:
    """Parse YAML keeping the position of every key and value; duplicate keys and aliases are errors."""
    import yaml

    offset = first_line - 1
    loader = _loader()(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise BuildError([_syntax_error(text, display, first_line, exc)]) from None
        doc = RawDocument(display, None, "", first_line)
        if node is None:
            return doc
        errors: list[SourceError] = []
        # Walked before construction: a shared or recursive node would make construction and
        # the walk exponential or endless (the "billion laughs").
        _walk(node, doc, offset, errors)
        if errors:
            raise BuildError(errors)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:  # an unknown or unsafe tag: the marks are exact
            raise BuildError([_marked(exc, display, first_line)]) from None
        except (ValueError, OverflowError) as exc:  # e.g. 2024-02-30, which YAML reads as a date
            raise BuildError([_bad_scalar(node, exc, display, offset)]) from None
    finally:
        loader.dispose()
    return RawDocument(display, data, "", first_line, doc.values, doc.keys, _digest(text))


def _marked(exc: yaml.MarkedYAMLError, display: str, first_line: int) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + first_line if mark else first_line
    column = mark.column + 1 if mark else 0
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if "'\\t'" in problem:
        problem += " (YAML does not allow tabs for indentation; use spaces)"
    return SourceError(display, line, column, f"invalid YAML: {problem}")


def _syntax_error(text: str, display: str, first_line: int, original: yaml.YAMLError) -> SourceError:
    """libyaml's messages are terse ("found character that cannot start any token"): ask the
    pure-Python parser, whose messages name the problem, only once we know there is one."""
    import yaml

    try:
        _compose(text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return _marked(exc, display, first_line)
    except yaml.YAMLError as exc:
        return SourceError(display, first_line, 0, f"invalid YAML: {exc}")
    except RecursionError:
        return SourceError(display, first_line, 0, f"invalid YAML: nested more than {MAX_DEPTH} levels deep")
    if isinstance(original, yaml.MarkedYAMLError):
        return _marked(original, display, first_line)
    return SourceError(display, first_line, 0, f"invalid YAML: {original}")


def _compose(text: str, loader_class: type[Any]) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return cast("yaml.Node | None", loader.get_single_node())
    finally:
        loader.dispose()


def _bad_scalar(root: yaml.Node, exc: Exception, display: str, offset: int) -> SourceError:
    """The scalar whose construction failed, found by constructing each one alone."""
    import yaml

    constructor = yaml.SafeLoader("")
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        else:
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError) as problem:
                line, column = node.start_mark.line + 1 + offset, node.start_mark.column + 1
                if node.tag.endswith(":timestamp"):
                    message = f"'{node.value}' is not a valid date ({problem}); write dates as YYYY-MM-DD"
                else:
                    kind = node.tag.rpartition(":")[2]
                    message = f"cannot read '{node.value}' as {kind} ({problem}); quote it to keep it text"
                return SourceError(display, line, column, message)
    line = root.start_mark.line + 1 + offset
    return SourceError(display, line, 0, f"invalid YAML: {exc}")  # pragma: no cover - found above


def _walk(root: yaml.Node, doc: RawDocument, offset: int, errors: list[SourceError]) -> None:
    """Record the position of every key and value; report duplicate keys, aliases and deep nesting."""
    import yaml

    seen: set[int] = set()
    values = cast(dict[Key, tuple[int, int]], doc.values)  # a new document's own, fresh dicts
    keys = cast(dict[Key, tuple[int, int]], doc.keys)
    stack: list[tuple[yaml.Node, Key]] = [(root, ())]
    while stack:
        node, key = stack.pop()
        position = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
        if id(node) in seen:
            errors.append(
                SourceError(
                    doc.path,
                    *position,
                    "YAML anchors and aliases (&name, *name) are not supported: write the value out in full",
                )
            )
            continue
        seen.add(id(node))
        values[key] = position
        if isinstance(node, yaml.ScalarNode) and (control := CONTROL.search(node.value)):
            # Raw control bytes were refused when the file was read: this one is a YAML escape ("\0").
            errors.append(SourceError(doc.path, *position, control_message(control.group())))
        if len(key) > MAX_DEPTH:
            errors.append(
                SourceError(
                    doc.path, *position, f"YAML is nested more than {MAX_DEPTH} levels deep; content needs five at most"
                )
            )
            continue
        if isinstance(node, yaml.MappingNode):
            names: dict[str, int] = {}
            for key_node, value_node in node.value:
                name = str(key_node.value)
                child = (*key, name)
                where = (key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
                if control := CONTROL.search(name):
                    errors.append(SourceError(doc.path, *where, control_message(control.group())))
                if name in names:
                    errors.append(
                        SourceError(
                            doc.path,
                            *where,
                            f"duplicate key '{name}' (first on line {names[name]}); YAML would keep only the last"
                            " value, so remove one",
                        )
                    )
                else:
                    names[name] = where[0]
                    keys[child] = where
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((item, (*key, index)) for index, item in enumerate(node.value)))


def load_markdown(path: Path, display: str, raw: bytes | None = None) -> RawDocument:
    """Read a Markdown file with YAML front matter."""
    text = read_text(path, display, raw)
    if not text.strip():
        raise BuildError([SourceError(display, 0, 0, f"file is empty: {_FRONT_MATTER_HINT}")])
    front, body, body_line = split_front_matter(text, display)
    doc = parse_yaml(front, display, first_line=2)
    if doc.data is None:
        doc = RawDocument(display, {}, "", 2, doc.values, doc.keys, _digest(front))
    return RawDocument(display, doc.data, body, body_line, doc.values, doc.keys, doc.digest)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def load_yaml_file(path: Path, display: str) -> RawDocument:
    """Read a YAML configuration file; an empty one is an error, not an empty configuration."""
    doc = parse_yaml(read_text(path, display), display)
    if doc.data is None:
        raise BuildError([SourceError(display, 0, 0, "file is empty: see docs/content-format.md for what it holds")])
    return doc
