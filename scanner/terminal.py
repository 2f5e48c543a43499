"""Text from the input (ids, paths) made safe to print: no rich markup, no terminal escape sequences.

An id like ``[/x]`` would crash rich's markup parser, and one holding ``\\x1b[2J`` would clear the
reader's terminal; ids and paths are data, so they are printed as data.
"""

from __future__ import annotations

import re

from rich.markup import escape

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain(value: object) -> str:
    """``value`` with control characters as ``\\xNN`` (tabs and newlines too: one item, one line)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def safe(value: object) -> str:
    """``plain`` and markup-escaped: for f-strings handed to rich's ``print``."""
    return escape(plain(value))


_LAYOUT = frozenset("\n\t")


def _picture(ch: str) -> str:
    code = ord(ch)
    if ch in _LAYOUT:
        return ch
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": \x1b -> ␛
    return "\u2421" if code == 0x7F else "\u2426"


def visible(text: str) -> str:
    """Document text for the terminal: each control character (but newline and tab) becomes one
    visible symbol, so span offsets into the text still hold and no escape sequence runs."""
    return _CONTROL.sub(lambda m: _picture(m.group()), text)
