"""Parameter and token counts: `1.1B` in front matter, an exact integer in the model."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_SUFFIX = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
_COUNT = re.compile(r"(\d+(?:\.\d+)?)([KMBT]?)")
_SCIENTIFIC = re.compile(r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d+")
MAX_COUNT = 10**16
"""Ten quadrillion: far above any model, low enough to catch typos like `1e400`."""


def parse_count(value: object) -> int:
    """Parse `1.1B`, `460M`, `60M`, `3T` or a plain integer; raise ValueError saying how to write it."""
    if isinstance(value, bool):
        raise ValueError(f"expected a count such as 1.1B or 460M, got {str(value).lower()!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a count such as 1.1B or 460M, got a number too large to read ({value!r})")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        match = _COUNT.fullmatch(text)
        if not match:
            raise ValueError(_unreadable(text))
        try:
            exact = Decimal(match.group(1)) * _SUFFIX[match.group(2)]
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
            raise ValueError(f"cannot read count {text!r}") from exc
        if exact != exact.to_integral_value():
            raise ValueError(f"count {text!r} is not a whole number")
        number = int(exact)
    if number <= 0:
        raise ValueError(f"count must be positive, got {value!r}")
    if number > MAX_COUNT:
        raise ValueError(f"count {value!r} is implausibly large (over 10,000T)")
    return number


def _unreadable(text: str) -> str:
    """Why `text` is not a count, with the nearest valid spelling when there is one."""
    message = f"expected a count such as 1.1B or 460M, got {text!r}"
    if _SCIENTIFIC.fullmatch(text):
        return f"{message}: scientific notation is not read; write a number with a suffix K, M, B or T"
    if text.startswith("-") and _COUNT.fullmatch(text[1:].strip()):
        return f"count must be positive, got {text!r}"
    fixed = re.sub(r"\s+", "", text).upper()
    if fixed != text and _COUNT.fullmatch(fixed):
        return f"{message} (did you mean {fixed}?)"
    return message


def format_count(number: int) -> str:
    """Short human form: 1100000000 -> `1.1B`, 60000000 -> `60M`, 540000000000 -> `540B`."""
    for suffix in ("T", "B", "M", "K"):
        unit = _SUFFIX[suffix]
        if number >= unit:
            scaled = Decimal(number) / unit
            text = f"{scaled:.2f}".rstrip("0").rstrip(".") if scaled < 100 else f"{scaled:.0f}"
            return text + suffix
    return str(number)
