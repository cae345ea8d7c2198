"""Search stage: run Pagefind over the staged site, one bundle per language (pagefind/<lang>/).

Pagefind (the extended build, which segments Chinese) runs on the finished staging folder, so
the index always matches the pages that are swapped in: one process per language, in parallel,
and only for a language whose pages changed. Its output is made deterministic here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from surveysite.errors import BuildError, SourceError

INDEX_DIR = "pagefind"
_PR_SET_PDEATHSIG = 1


def pagefind_binary() -> Path | None:
    """The extended binary (with Chinese segmentation) that `pagefind[extended]` installs."""
    spec = importlib.util.find_spec("pagefind_bin_extended")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "pagefind_extended"
    return binary if binary.is_file() else None


def index_site(site: Path, languages: tuple[str, ...], previous: Path | None, known: dict[str, str]) -> dict[str, str]:
    """Write site/pagefind/<lang>/ for each language, running Pagefind (all at once, one process a
    language, so on every core) only for the languages whose indexed pages changed since the site
    at `previous`, whose bundles are otherwise linked over. `known` holds the digest of each
    language's pages then; the new digests are returned. Raises BuildError if Pagefind fails."""
    binary = pagefind_binary()
    if binary is None:
        message = "Pagefind is not installed: run `python3 -m pip install -e .` or build with --no-search"
        raise BuildError([SourceError("pagefind", 0, 0, message)])
    pages = _pages_by_language(site, languages)
    digests = {lang: _digest(site, files) for lang, files in pages.items()}
    runs = []
    for lang, files in pages.items():
        bundle = f"{INDEX_DIR}/{lang}"
        old = previous / bundle if previous is not None else None
        if old is not None and known.get(lang) == digests[lang] and (old / "pagefind-entry.json").is_file():
            _link_tree(old, site / bundle)
            continue
        glob = "{" + ",".join(files) + "}" if len(files) > 1 else files[0] if files else "none.html"
        command = [str(binary), "--site", str(site), "--glob", glob, "--output-subdir", bundle, "--silent"]
        runs.append(
            subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        )
    problems = []
    for run in runs:
        stdout, stderr = run.communicate()
        if run.returncode != 0:
            detail = (stderr or stdout).strip().splitlines()
            problems.append(f"Pagefind failed: {detail[-1] if detail else f'exit {run.returncode}'}")
    if problems:
        raise BuildError([SourceError("pagefind", 0, 0, message) for message in problems])
    for lang in pages:
        _normalise_entry(site / INDEX_DIR / lang / "pagefind-entry.json")
    return digests


def _pages_by_language(site: Path, languages: tuple[str, ...]) -> dict[str, list[str]]:
    """Each language's HTML files, site-relative: a language's pages are under its prefix, the
    first language's everywhere else."""
    found: dict[str, list[str]] = {lang: [] for lang in languages}
    others = set(languages[1:])
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        first = relative.split("/", 1)[0]
        if first in (INDEX_DIR, "assets"):
            continue
        found[first if first in others else languages[0]].append(relative)
    return found


def _digest(site: Path, files: list[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for name in files:
        digest.update(name.encode() + b"\0" + (site / name).read_bytes() + b"\0")
    return digest.hexdigest()


def _link_tree(source: Path, target: Path) -> None:
    """A copy of a bundle made of hard links (its files are never written in place)."""
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copyfile(path, destination)


def _die_with_parent() -> None:
    """Pagefind writes into the staging folder: if the build is killed, Pagefind must stop too,
    or it would go on writing after the next build has removed that folder."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _normalise_entry(entry: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted keys make two builds byte-identical."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
