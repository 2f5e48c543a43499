"""Which encoding a file's bytes are in, decoding them, and names that are safe to store and print.

Decisions (the README's "odd input" table says the same):

* A UTF-8 BOM is dropped; a UTF-16 BOM, or UTF-16 without one (every other byte NUL in mostly-ASCII
  text), means UTF-16, for text files, JSONL and CSV alike.
* A text file that is not valid UTF-8: if it holds valid multi-byte UTF-8 sequences too, it is UTF-8
  with a few damaged bytes (replaced by U+FFFD, and the document's ``note`` says how many); otherwise it
  is a legacy 8-bit file and is decoded as Windows-1252 (a superset of Latin-1), with a note saying so.
  A file whose first 8 KB is over 30% undecodable as UTF-8 or has a NUL byte (and is not UTF-16) is binary.
* A file name that is not valid UTF-8 is kept as its bytes with ``\\xNN`` escapes in ids and sources
  (Parquet strings must be UTF-8); the file itself is still read.
"""

from __future__ import annotations

import codecs
import re

SNIFF_BYTES = 8192
_MAX_BAD_SHARE = 0.30  # share of undecodable bytes in the first 8 KB above which a file is binary
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def sniff_encoding(head: bytes, records: bool = False) -> str:
    """'utf-8-sig', 'utf-16' (BOM), 'utf-16-le'/'-be' (no BOM) or 'utf-8' (the default) from the first bytes.

    ``records``: JSONL/CSV, whose delimiters are ASCII, so real UTF-16 has NUL bytes after its BOM; a
    "BOM" followed by none is a damaged UTF-8 line, not UTF-16.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16" if not records or _utf16_parity(head[2:]) else "utf-8"
    return _utf16_parity(head) or "utf-8"


_MIN_PARITY_NULS = 4  # "\x00\n{}" has a NUL in every other byte too: a few bytes prove nothing


def _utf16_parity(head: bytes) -> str | None:
    """UTF-16 of mostly-ASCII text has a NUL in (nearly) every other byte, and only there; a whole
    file of odd length is no UTF-16."""
    if len(head) < SNIFF_BYTES and len(head) % 2:
        return None
    sample = head[: SNIFF_BYTES - SNIFF_BYTES % 2]
    pairs = len(sample) // 2
    if pairs >= _MIN_PARITY_NULS:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd >= _MIN_PARITY_NULS and odd / pairs >= 0.4 and even / pairs < 0.05:
            return "utf-16-le"
        if even >= _MIN_PARITY_NULS and even / pairs >= 0.4 and odd / pairs < 0.05:
            return "utf-16-be"
    return None


def decode_text(data: bytes) -> tuple[str | None, str | None, str | None]:
    """Bytes of one text file -> (text, note, None), or (None, None, why skipped) when it is binary."""
    head = data[:SNIFF_BYTES]
    enc = sniff_encoding(head)
    if enc == "utf-8-sig":
        return _utf8(data[len(codecs.BOM_UTF8):])
    if enc.startswith("utf-16"):
        text = data.decode(enc, "replace")
        return text, (f"decoded as {enc.upper()}" if enc != "utf-16" else None), None
    if b"\x00" in head:
        return None, None, "binary file (NUL byte in the first 8 KB)"
    try:
        return data.decode("utf-8"), None, None
    except UnicodeDecodeError:
        pass
    bad = head.decode("utf-8", "replace").count("\ufffd")
    if head and bad / len(head) > _MAX_BAD_SHARE:
        return None, None, "binary file (not text in UTF-8, UTF-16 or Windows-1252)"
    if _UTF8_MULTIBYTE.search(data):
        return _utf8(data)
    return data.decode("cp1252", "replace"), "not UTF-8: decoded as Windows-1252", None


def _utf8(data: bytes) -> tuple[str, str | None, None]:
    text = data.decode("utf-8", "replace")
    return text, replaced_note(text, data), None


def replaced_note(text: str, data: bytes) -> str | None:
    """A note when decoding replaced bytes (U+FFFD in the text that the bytes did not spell out)."""
    n = text.count("\ufffd") - data.count("\ufffd".encode())
    return f"{n} invalid UTF-8 byte sequence(s) replaced by U+FFFD" if n > 0 else None


def safe_name(name: str) -> str:
    """A path as stored and printed: undecodable bytes (surrogate escapes) become ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
