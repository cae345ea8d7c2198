"""Search stage: run Pagefind over the staged site, one index per language (from <html lang>).

Pagefind (the extended build, which segments Chinese) runs on the finished staging folder, so
the index always matches the pages that are swapped in. Its output is made deterministic here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import json
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


def index_site(site: Path) -> None:
    """Write site/pagefind/; raises BuildError if Pagefind is missing or fails."""
    binary = pagefind_binary()
    if binary is None:
        message = "Pagefind is not installed: run `python3 -m pip install -e .` or build with --no-search"
        raise BuildError([SourceError("pagefind", 0, 0, message)])
    run = subprocess.run(
        [str(binary), "--site", str(site), "--output-subdir", INDEX_DIR, "--silent"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip().splitlines()
        message = f"Pagefind failed: {detail[-1] if detail else f'exit {run.returncode}'}"
        raise BuildError([SourceError("pagefind", 0, 0, message)])
    _normalise_entry(site / INDEX_DIR / "pagefind-entry.json")


def _die_with_parent() -> None:
    """Pagefind writes into the staging folder: if the build is killed, Pagefind must stop too,
    or it would go on writing after the next build has removed that folder."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _normalise_entry(entry: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted keys make two builds byte-identical."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
