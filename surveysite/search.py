"""Search stage: run Pagefind over the staged site, one bundle per language (pagefind/<lang>/).

Pagefind (the extended build, which segments Chinese) runs on the finished staging folder, so
the index always matches the pages that are swapped in. Pagefind cannot update an index, and it
indexes on one core; so a large language is split into shards of about SHARD_PAGES pages, which
the page's search merges (Pagefind's mergeIndex). Every shard is one process, all run in
parallel, and only a shard whose pages changed is indexed again: an edit costs one shard. Its
output is made deterministic here.
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
SHARD_PAGES = 300
"""About this many pages per Pagefind run: at ~5 ms a page, an edit re-indexes in 1-2 s."""
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
    shard, so on every core) only for the shards whose pages changed since the site at
    `previous`, whose bundles are otherwise linked over. `known` holds the digest of each shard's
    pages then; the new digests are returned. Raises BuildError if Pagefind fails."""
    binary = pagefind_binary()
    if binary is None:
        message = "Pagefind is not installed: run `python3 -m pip install -e .` or build with --no-search"
        raise BuildError([SourceError("pagefind", 0, 0, message)])
    bundles: dict[str, list[str]] = {}
    for lang, files in _pages_by_language(site, languages).items():
        shards = _shards(files)
        if len(shards) == 1:
            bundles[f"{INDEX_DIR}/{lang}"] = shards[0]
            continue
        for number, shard in enumerate(shards):
            bundles[f"{INDEX_DIR}/{lang}/{number}"] = shard
        _write_merging_entry(site / INDEX_DIR / lang, len(shards))
    digests = {bundle: _digest(site, files) for bundle, files in bundles.items()}
    in_place = previous is not None and previous.resolve() == site.resolve()
    runs, replaced = [], []
    for bundle, files in bundles.items():
        old = previous / bundle if previous is not None else None
        if old is not None and known.get(bundle) == digests[bundle] and (old / "pagefind-entry.json").is_file():
            if not in_place:
                _link_tree(old, site / bundle)
            continue
        glob = "{" + ",".join(files) + "}" if len(files) > 1 else files[0] if files else "none.html"
        # In place (a live site), the new bundle is written beside the old one and swapped in whole.
        target = f"{bundle}.new" if in_place else bundle
        if in_place:
            shutil.rmtree(site / target, ignore_errors=True)
            replaced.append(bundle)
        command = [str(binary), "--site", str(site), "--glob", glob, "--output-subdir", target, "--silent"]
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
    for bundle in replaced:
        _swap_in(site / f"{bundle}.new", site / bundle)
    for bundle in bundles:
        _normalise_entry(site / bundle / "pagefind-entry.json")
    return digests


def _swap_in(new: Path, bundle: Path) -> None:
    """Replace the bundle folder by `new` with two renames (the dev server's live site only: a
    search in the moment between them finds no index and says so)."""
    old = bundle.with_name(bundle.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if bundle.is_dir():
        bundle.rename(old)
    new.rename(bundle)
    shutil.rmtree(old, ignore_errors=True)


def carry_search(previous: Path, staging: Path) -> None:
    """The previous site's search index, linked into the new one (refreshed after the swap)."""
    if (previous / INDEX_DIR).is_dir():
        _link_tree(previous / INDEX_DIR, staging / INDEX_DIR)


def _shards(files: list[str]) -> list[list[str]]:
    """files split into about len/SHARD_PAGES shards by a hash of each path, so that a page stays in
    its shard while the site grows (until the number of shards changes)."""
    count = -(-len(files) // SHARD_PAGES)
    if count <= 1:
        return [files]
    shards: list[list[str]] = [[] for _ in range(count)]
    for name in files:
        shards[int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") % count].append(name)
    return [shard for shard in shards if shard]


def _write_merging_entry(bundle: Path, count: int) -> None:
    """pagefind/<lang>/pagefind.js for a sharded language: Pagefind's API from the first shard,
    whose options() also merges the other shards into its searches (with the same options)."""
    others = ", ".join(f'"./{number}/"' for number in range(1, count))
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / "pagefind.js").write_text(
        "// This language's index is in shards: searches of the first also search the others.\n"
        'import * as first from "./0/pagefind.js";\n'
        'export * from "./0/pagefind.js";\n'
        "export async function options(settings) {\n"
        "  await first.options(settings);\n"
        f"  await Promise.all([{others}].map((shard) =>\n"
        "    first.mergeIndex(new URL(shard, import.meta.url).href, settings)));\n"
        "}\n",
        encoding="utf-8",
    )


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
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except ValueError:  # Pagefind exits 0 having written an empty file when the disk is full
        message = f"Pagefind wrote a damaged index ({entry.name} is not JSON); is the disk full?"
        raise BuildError([SourceError("pagefind", 0, 0, message)]) from None
    entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
