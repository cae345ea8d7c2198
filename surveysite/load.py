"""Load stage: read every file of a content folder, recording (not raising) what cannot be read.

The errors travel with the content to validation, so that one run reports unreadable files and
invalid ones together.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from stat import S_ISREG

from surveysite.cache import Cache
from surveysite.errors import BuildError, SourceError, display_path
from surveysite.source import MAX_FILE_BYTES, Key, RawDocument, load_markdown, load_yaml_file

SURVEY_FILES = ("site.yaml", "taxonomy.yaml", "benchmarks.yaml")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)?")
"""The shape of a language suffix in `<slug>.<lang>.md`; anything else is part of the slug."""


@dataclass(frozen=True)
class ContentFile:
    """A Markdown file of papers/ or pages/, named `<slug>.md` or `<slug>.<lang>.md`."""

    slug: str
    lang: str | None
    """None for the main file, else the language of a translation."""
    doc: RawDocument
    """doc.data is None when the file could not be read (already reported in RawContent.errors)."""


@dataclass(frozen=True)
class RawContent:
    root: Path
    site: RawDocument
    taxonomy: RawDocument
    benchmarks: RawDocument
    """For these three, data is None when the file is missing or unreadable (already reported)."""
    papers: tuple[ContentFile, ...]
    pages: tuple[ContentFile, ...]
    errors: tuple[SourceError, ...] = ()
    strings: tuple[tuple[str, RawDocument], ...] = ()
    """(language, i18n/<language>.yaml): interface strings a survey supplies or overrides."""
    figures: tuple[tuple[str, Path], ...] = ()
    """(name, path) of each file in figures/; read only when a body shows it."""
    """Files that could not be read; validation reports them with its own findings."""


def split_name(name: str) -> tuple[str, str | None]:
    """`alpha.md` -> ('alpha', None); `alpha.zh.md` -> ('alpha', 'zh'); `a..b.md` -> ('a..b', None)."""
    stem = name.removesuffix(".md")
    slug, dot, lang = stem.rpartition(".")
    if dot and _LANGUAGE.fullmatch(lang):
        return slug, lang
    return stem, None


def _ignored(name: str) -> bool:
    """Hidden files and editor leftovers (`.alpha.md.swp`, `alpha.md~`, `#alpha.md#`)."""
    return name.startswith((".", "#")) or name.endswith("~")


class _Positions:
    """A cached document's position tables, read from the cache when an error first needs them
    (or, if the cache no longer has them, from the file parsed again)."""

    def __init__(self, cache: Cache, key: str, parse: Callable[[], RawDocument]) -> None:
        self.cache, self.key, self.parse = cache, key, parse
        self.tables: tuple[Mapping[Key, tuple[int, int]], Mapping[Key, tuple[int, int]]] | None = None

    def get(self) -> tuple[Mapping[Key, tuple[int, int]], Mapping[Key, tuple[int, int]]]:
        if self.tables is None:
            found = self.cache.get(self.key)
            if found is None:
                doc = self.parse()
                found = (doc.values, doc.keys)
            self.tables = found
        return self.tables


class _Table(Mapping[Key, tuple[int, int]]):
    """RawDocument.values or .keys of a cached document, loaded on first use."""

    def __init__(self, positions: _Positions, which: int) -> None:
        self.positions, self.which = positions, which

    def __getitem__(self, key: Key) -> tuple[int, int]:
        return self.positions.get()[self.which][key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self.positions.get()[self.which])

    def __len__(self) -> int:
        return len(self.positions.get()[self.which])


class _Stamps:
    """Each content file's stamp at the previous build, (size, mtime, ctime, inode, device), with
    the cache key of its bytes: a file whose stamp is unchanged is not read at all (the way git's
    index and make decide what changed, without reading 20,000 files to find one edit)."""

    RACY_NS = 2_000_000_000
    """A file changed this close to the build is read again next time: an edit in the same
    timestamp tick as the stat would keep the stamp (git's "racily clean" rule; 2 s covers the
    coarsest clocks of common file systems)."""

    def __init__(self, cache: Cache, root: Path) -> None:
        self.cache = cache
        self.key = cache.key("stamps", str(root.resolve()))
        found = cache.get(self.key)
        self.old: dict[str, tuple[tuple[int, ...], str]] = found if isinstance(found, dict) else {}
        self.new: dict[str, tuple[tuple[int, ...], str]] = {}
        self.settled = time.time_ns() - self.RACY_NS

    @staticmethod
    def stamp(stat: os.stat_result) -> tuple[int, ...]:
        return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)

    def known(self, display: str, stat: os.stat_result) -> str:
        """The key of the file's bytes if its stamp is the one recorded, else ''."""
        stamp, key = self.old.get(display, ((), ""))
        return key if stamp == self.stamp(stat) else ""

    def record(self, display: str, stat: os.stat_result, key: str) -> None:
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < self.settled:
            self.new[display] = (self.stamp(stat), key)

    def save(self) -> None:
        if self.new != self.old:
            self.cache.put(self.key, self.new)
        else:
            self.cache.touch(self.key)


_LOADED = "load:content"
"""The resident cache's entry of the previous build's content, with each file's key (never on disk)."""


def load_content(root: Path, cache: Cache | None = None, changed: Collection[str] | None = None) -> RawContent:
    """Read site.yaml, taxonomy.yaml, benchmarks.yaml, papers/*.md and pages/*.md.

    With a cache, a file whose bytes are unchanged since an earlier build is not parsed again, and
    one whose stamp is unchanged since the previous build is not even read. `changed`, from a
    process that watches the folder's file events (the dev server) and loaded it before with the
    same resident cache, names every file changed since: only those are looked at.
    """
    errors: list[SourceError] = []
    keys: dict[str, str] = {}
    """Display path -> the key of the file's bytes, for the next build of a resident cache."""

    stamps = _Stamps(cache, root) if cache is not None else None
    before = cache.recall(_LOADED) if cache is not None else None

    @functools.cache
    def previous() -> dict[str, RawDocument]:
        """The key of a file's bytes -> its document in the previous load with this resident cache."""
        if before is None:
            return {}
        content, known = before
        return {known[f.doc.path]: f.doc for f in (*content.papers, *content.pages) if f.doc.path in known}

    def cached(loader: Callable[..., RawDocument]) -> Callable[[str | Path, str], RawDocument]:
        """The loader, taking a path as a string too: a Path costs as much as the stat, and
        the dev server's rebuild at 10,000 papers does little else per unchanged file."""
        if cache is None or stamps is None:
            return lambda path, display: loader(Path(path), display)

        def load(name: str | Path, display: str) -> RawDocument:
            try:
                stat = os.stat(name)
            except OSError:
                return loader(Path(name), display)  # which says why the file cannot be read
            key, data = stamps.known(display, stat), None
            if key and (loaded := previous().get(key)) is not None:
                # The dev server: the document of the previous build, as is (same object, so that
                # validation can tell at once that nothing in it changed).
                stamps.record(display, stat, key)
                cache.touch(key, key + ":positions")
                keys[display] = key
                return loaded
            doc: RawDocument | None = cache.get(key) if key else None
            if doc is None:
                path = Path(name)
                try:
                    data = path.read_bytes() if stat.st_size <= MAX_FILE_BYTES else None
                except OSError:
                    data = None
                if data is None:
                    return loader(path, display)  # which says why the file is refused
                key = cache.key(loader.__name__, display, data)
                doc = cache.get(key)
            stamps.record(display, stat, key)
            if doc is None:
                parsed = loader(Path(name), display, data)
                # The positions of every value, kept apart: only an error needs them, and they are
                # most of what unpickling a document would cost, and a third of what a cold build
                # of 10,000 papers would hold after loading.
                doc = cache.put_fresh(key, parsed.with_positions({}, {}))
                cache.put(key + ":positions", (parsed.values, parsed.keys))
            else:
                cache.touch(key + ":positions")
            positions = _Positions(cache, key + ":positions", lambda: loader(Path(name), display))
            doc = doc.with_positions(_Table(positions, 0), _Table(positions, 1))
            keys[display] = key
            return doc

        return load

    start = "start one with `surveysite init FOLDER`, or point --content at a survey's content folder"
    if not root.is_dir():
        raise BuildError([SourceError(display_path(root), 0, 0, f"content folder does not exist; {start}")])
    if not any((root / name).exists() or (root / name).is_symlink() for name in SURVEY_FILES):
        # Three "required file is missing" errors would hide the real problem: the wrong folder.
        raise BuildError(
            [SourceError(display_path(root), 0, 0, f"no survey here (no {'/'.join(SURVEY_FILES)}); {start}")]
        )
    inside = root.resolve()
    if cache is not None and stamps is not None and changed is not None:
        found = _reloaded(before, changed, inside, cached(load_markdown), stamps, cache) if before else None
        if found is not None:
            found[1].update(keys)  # the changed files' keys, which their loading recorded
            cache.remember(_LOADED, found)
            return found[0]
    if cache is not None and stamps is not None:
        cache.expect([key for _stamp, key in stamps.old.values()])  # in the order files are loaded

    def problem(path: Path) -> str:
        """Why `path` must not be read, or ''."""
        if path.is_symlink() and not path.exists():
            return "symbolic link points to nothing; remove it or fix its target"
        resolved = path.resolve()
        if resolved != inside and inside not in resolved.parents:
            # A pull request could otherwise publish any file of the machine that builds the site,
            # whether the link is the file itself or a folder on its way.
            return "symbolic link points outside the content folder; copy the file into the folder instead"
        return ""

    def plain(loader: Callable[[str | Path, str], RawDocument], path: str | Path, display: str) -> RawDocument:
        """Load a file known to be a regular file, not a link, in a checked folder."""
        try:
            return loader(path, display)
        except BuildError as exc:
            errors.extend(exc.errors)
            return RawDocument(display, None, "", 1)

    def attempt(loader: Callable[[Path, str], RawDocument], path: Path, display: str = "") -> RawDocument:
        """Load path, or say why it cannot be: a missing file, a link out of the folder."""
        display = display or display_path(path)
        why = problem(path)
        if not why and not path.exists():
            why = "required file is missing"
        elif not why and not path.is_file():
            why = "is not a regular file; content must be plain files"
        if why:
            errors.append(SourceError(display, 0, 0, why))
            return RawDocument(display, None, "", 1)
        try:
            return loader(path, display)
        except BuildError as exc:
            errors.extend(exc.errors)
            return RawDocument(display, None, "", 1)

    def folder(name: str) -> tuple[ContentFile, ...]:
        directory = root / name
        if not directory.exists() and not directory.is_symlink():
            return ()
        why = problem(directory) or ("" if directory.is_dir() else f"{name} must be a folder")
        if why:
            errors.append(SourceError(display_path(directory), 0, 0, why))
            return ()
        files = []
        shown = display_path(directory)
        load = cached(load_markdown)
        # Sorted so that output and error order never depend on the file system.
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            if _ignored(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                errors.append(
                    SourceError(
                        display_path(directory / entry.name),
                        0,
                        0,
                        f"sub-folders of {name}/ are not read: move its files into {name}/"
                        " (a slug is a file name, so it cannot contain '/')",
                    )
                )
            elif not entry.name.endswith(".md"):
                errors.append(
                    SourceError(
                        display_path(directory / entry.name),
                        0,
                        0,
                        f"{name}/ holds only Markdown files named <slug>.md or <slug>.<language>.md;"
                        " rename or move this file",
                    )
                )
            else:
                slug, lang = split_name(entry.name)
                display = f"{shown}/{entry.name}"
                if entry.is_file(follow_symlinks=False):
                    doc = plain(load, entry.path, display)
                else:
                    doc = attempt(load, directory / entry.name, display)
                files.append(ContentFile(slug, lang, doc))
        return tuple(files)

    site = attempt(load_yaml_file, root / "site.yaml")
    taxonomy = attempt(load_yaml_file, root / "taxonomy.yaml")
    benchmarks = attempt(load_yaml_file, root / "benchmarks.yaml")
    papers = folder("papers")
    pages = folder("pages")
    strings = []
    if (root / "i18n").is_dir():
        for path in sorted((root / "i18n").iterdir()):
            if _ignored(path.name):
                continue
            if path.suffix != ".yaml":
                message = "i18n/ holds only interface strings named <language>.yaml; rename or move this file"
                errors.append(SourceError(display_path(path), 0, 0, message))
                continue
            strings.append((path.stem, attempt(load_yaml_file, path)))
    figures = []
    if (root / "figures").is_dir():
        for path in sorted((root / "figures").iterdir()):
            if not _ignored(path.name) and path.is_file() and not problem(path):
                figures.append((path.name, path))
    if stamps is not None:
        stamps.save()
    raw = RawContent(root, site, taxonomy, benchmarks, papers, pages, tuple(errors), tuple(strings), tuple(figures))
    if cache is not None:
        cache.remember(_LOADED, (raw, keys))
    return raw


def _reloaded(
    before: tuple[RawContent, dict[str, str]],
    changed: Collection[str],
    inside: Path,
    load: Callable[[str | Path, str], RawDocument],
    stamps: _Stamps,
    cache: Cache,
) -> tuple[RawContent, dict[str, str]] | None:
    """The previous build's content with the changed files loaded again, or None if a change is one
    that only a full load handles: the survey's own files, i18n/, figures/, a folder, a link, a
    file that cannot be read. The others are not even stat'ed: at 10,000 papers that was most of a
    dev server's rebuild. Files outside the content folder (templates, static) change nothing here."""
    raw, keys = before
    if raw.errors:  # what went wrong may have been fixed without a file event (a permission)
        return None
    edited: dict[str, dict[str, Path | None]] = {"papers": {}, "pages": {}}
    for name in changed:
        path = Path(name).absolute()
        where = path.parent.resolve()
        if where != inside and inside not in where.parents:
            continue
        if _ignored(path.name):
            continue
        if where.parent != inside or where.name not in edited or not path.name.endswith(".md"):
            return None
        try:
            info = path.lstat()
        except FileNotFoundError:
            edited[where.name][path.name] = None
            continue
        except OSError:
            return None
        if not S_ISREG(info.st_mode):
            return None
        edited[where.name][path.name] = path
    keys, kept = dict(keys), dict(stamps.old)
    folders: dict[str, tuple[ContentFile, ...]] = {}
    for folder, files in edited.items():
        # Sorted by path, as a full load leaves them: each change is found by bisection.
        found_files = list(getattr(raw, folder))
        shown = display_path(raw.root / folder)
        for file_name, found in files.items():
            display = f"{shown}/{file_name}"
            place = bisect.bisect_left(found_files, display, key=lambda f: f.doc.path)
            if place < len(found_files) and found_files[place].doc.path == display:
                del found_files[place]
            keys.pop(display, None)
            kept.pop(display, None)
            if found is not None:
                try:
                    doc = load(str(found), display)
                except BuildError:
                    return None
                found_files.insert(place, ContentFile(*split_name(file_name), doc))
        folders[folder] = tuple(found_files)
    cache.touch(*keys.values(), *(key + ":positions" for key in keys.values()))
    stamps.new = {**kept, **stamps.new}
    stamps.save()
    return replace(raw, papers=folders["papers"], pages=folders["pages"]), keys
