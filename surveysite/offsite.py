"""No page may load anything from another site: no CDN, no remote image, no tracker.

Links to papers are fine (a reader chooses to follow them); what a browser fetches on its own
(scripts, styles, images, frames, media) must come from the site itself. A regex scan, not an
HTML parser: it runs over every page of every build and must stay cheap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from surveysite.errors import SourceError
from surveysite.output import OutputFile

_LOADING_TAG = re.compile(
    rb"<(script|link|img|source|video|audio|iframe|frame|embed|object|input|track|image|use|feimage)\b([^>]*)>",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(
    rb"""\s([a-z:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""",
    re.IGNORECASE,
)
_URL_ATTRIBUTES = {"src", "href", "srcset", "poster", "data", "xlink:href", "imagesrcset"}
_NON_LOADING_RELS = {"alternate", "canonical", "author", "license", "help", "next", "prev", "search", "bookmark", "me"}
_OFFSITE = re.compile(r"^\s*(?://|(?!data:|blob:)[a-z][a-z0-9+.-]*:)", re.IGNORECASE)


def _offsite_urls(tag: str, attributes: dict[str, str]) -> list[str]:
    if tag == "link":
        rels = set(attributes.get("rel", "").lower().split())
        if rels and rels <= _NON_LOADING_RELS:
            return []
    urls = []
    for name, value in attributes.items():
        if name not in _URL_ATTRIBUTES:
            continue
        candidates = [part.strip().split(" ")[0] for part in value.split(",")] if "srcset" in name else [value]
        urls += [url for url in candidates if _OFFSITE.match(url)]
    return urls


def offsite_loads(files: Iterable[OutputFile]) -> list[SourceError]:
    """Every tag in every HTML page that would make the browser fetch from another origin."""
    errors = []
    for file in files:
        if not file.path.endswith(".html"):
            continue
        for match in _LOADING_TAG.finditer(file.data):
            tag = match.group(1).decode().lower()
            attributes = {
                m.group(1).decode().lower(): html.unescape(m.group(2).decode("utf-8", "replace").strip("\"'"))
                for m in _ATTRIBUTE.finditer(match.group(2))
            }
            for url in _offsite_urls(tag, attributes):
                line = file.data.count(b"\n", 0, match.start()) + 1
                origin = f" (from {file.source})" if file.source else ""
                errors.append(
                    SourceError(
                        file.path,
                        line,
                        0,
                        f"<{tag}> loads {url} from another site{origin}: copy the file into the site and use a"
                        " relative path, or make it a link",
                    )
                )
    return errors
