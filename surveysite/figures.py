"""Figures: local images in content/figures/, checked at validation and published at figures/.

A figure is referenced from a body as `![alt text](figures/arch.png)`. Its width and height go
into the page (no layout shift) and it loads lazily; one wider than MAX_WIDTH is scaled down at
build time, once (the result is cached by the file's bytes), so that readers never download a
camera-sized original.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from surveysite.cache import Cache

FOLDER = "figures"
"""Both the folder under content/ and the one in the output; bodies write `figures/<name>`."""
MAX_BYTES = 5_000_000
MAX_WIDTH = 1600
"""Pixels: twice the width of the text column, sharp on high-density screens."""
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
"""Pillow's format name and the file extension it must have; SVG is left out (it can hold script)."""


@dataclass(frozen=True)
class Figure:
    name: str
    """File name under figures/, as the body writes it."""
    width: int
    height: int
    """As published (after scaling down)."""
    path: Path
    digest: str
    """Of the source file's bytes: the published bytes are made from it alone."""


def inspect(path: Path, name: str) -> Figure | str:
    """The figure as it will be published, or why it cannot be."""
    from PIL import Image, UnidentifiedImageError  # only surveys with figures pay for the import

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return f"figure '{name}' is {size:,} bytes, over the limit of {MAX_BYTES:,}; make it smaller"
        data = path.read_bytes()
    except OSError as exc:
        return f"figure '{name}' cannot be read ({exc.strerror})"
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height = image.format, image.width, image.height
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return f"figure '{name}' is not an image that browsers show (PNG, JPEG, GIF or WebP)"
    extension = FORMATS.get(kind or "")
    if extension is None:
        return f"figure '{name}' is a {kind} image; save it as PNG, JPEG, GIF or WebP"
    if name.rsplit(".", 1)[-1].lower() not in (extension, "jpeg" if extension == "jpg" else extension):
        return f"figure '{name}' holds a {kind} image; name it with .{extension}"
    if width > MAX_WIDTH:
        width, height = MAX_WIDTH, max(1, round(height * MAX_WIDTH / width))
    return Figure(name, width, height, path, hashlib.sha256(data).hexdigest())


def published(figure: Figure, cache: Cache) -> bytes:
    """The bytes to publish: the file itself, or a copy scaled down to MAX_WIDTH (cached)."""
    data = figure.path.read_bytes()
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.width <= MAX_WIDTH:
            return data
        key = cache.key("figure", figure.digest, str(MAX_WIDTH))
        if (known := cache.get(key)) is not None:
            return bytes(known)
        smaller = image.resize((figure.width, figure.height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        smaller.save(out, format=image.format, optimize=True)
    result = out.getvalue()
    cache.put(key, result)
    return result
