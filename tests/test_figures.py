"""Figures: local images in content/figures/, published with their size, scaled down when large."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from surveysite.cli import main
from surveysite.figures import MAX_WIDTH
from surveysite.pipeline import build
from tests.conftest import make_content, project


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _with_figures(tmp_path: Path) -> Path:
    content = make_content(tmp_path)
    (content / "figures").mkdir()
    (content / "figures" / "arch.png").write_bytes(_png(400, 300))
    (content / "figures" / "huge.png").write_bytes(_png(4000, 1000))
    (content / "figures" / "unused.png").write_bytes(b"not even an image: never shown, so never checked")
    paper = content / "papers" / "beta.md"
    body = "\n\n![The architecture, in blocks](figures/arch.png)\n\n![A very wide plot](figures/huge.png)\n"
    paper.write_text(paper.read_text(encoding="utf-8") + body, encoding="utf-8")
    return content


def test_figures_are_published_with_their_size(tmp_path: Path) -> None:
    content = _with_figures(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    page = (out / "papers" / "beta" / "index.html").read_text(encoding="utf-8")
    assert (
        '<img src="../../figures/arch.png" width="400" height="300" alt="The architecture, in blocks"'
        ' loading="lazy" decoding="async" />'
    ) in page
    # Beta has no Chinese translation: its Chinese page shows the same body, one folder deeper.
    zh = (out / "zh" / "papers" / "beta" / "index.html").read_text(encoding="utf-8")
    assert '<img src="../../../figures/arch.png" width="400" height="300"' in zh
    assert (out / "figures" / "arch.png").read_bytes() == (content / "figures" / "arch.png").read_bytes()
    # Wider than MAX_WIDTH: scaled down at build time, and the page says the published size.
    assert f'src="../../figures/huge.png" width="{MAX_WIDTH}" height="400"' in page
    with Image.open(out / "figures" / "huge.png") as huge:
        assert huge.size == (MAX_WIDTH, 400)
    assert not (out / "figures" / "unused.png").exists()
    # Byte-identical when built again from nothing.
    again = tmp_path / "again"
    build(project(content, again))
    assert (again / "figures" / "huge.png").read_bytes() == (out / "figures" / "huge.png").read_bytes()


def test_a_figure_over_five_megabytes_is_refused(tmp_path: Path, capsys: object) -> None:
    content = _with_figures(tmp_path)
    with (content / "figures" / "arch.png").open("r+b") as handle:
        handle.truncate(6_000_000)
    status = main(["check", "--content", str(content)])
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert status == 1
    line = (
        (content / "papers" / "beta.md")
        .read_text(encoding="utf-8")
        .splitlines()
        .index("![The architecture, in blocks](figures/arch.png)")
    )
    assert err.splitlines()[0] == (
        f"{content}/papers/beta.md:{line + 1}: error: figure 'arch.png' is 6,000,000 bytes,"
        " over the limit of 5,000,000; make it smaller"
    )
