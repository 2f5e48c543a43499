"""The document builder and the template mini-language the generator's genre templates are written in.

``Doc`` collects ``(text, label)`` segments and turns them into text plus character spans; templates are
strings such as ``"Dear {tname},[? {filler}] ..."``: ``{slot}`` is a value from the generator's slot
table, ``[a|b|c]`` one alternative, ``[?opt]`` optional (50%), ``[??rare]`` optional (25%), ``\\x`` a
literal ``x``. ``render`` needs only a context with ``rng`` and ``slot(name)``, so this module imports
neither ``generator`` (the slot table) nor ``templates`` (the template table): both import it.
"""

from __future__ import annotations

import random
from typing import Protocol

Seg = tuple[str, "str | None"]

# --------------------------------------------------------------------------------------------------
# Document builder
# --------------------------------------------------------------------------------------------------

_CASE_EXEMPT = {"SECRET", "PASSWORD"}
_ENT_CASED = {"PERSON", "ORGANIZATION", "LOCATION", "STREET_ADDRESS", "NRP", "MEDICAL", "DATE"}


class Doc:
    __slots__ = ("segs",)

    def __init__(self) -> None:
        self.segs: list[Seg] = []

    def t(self, s: str) -> None:
        if s:
            self.segs.append((s, None))

    def e(self, label: str | None, v: str) -> None:
        if v:
            self.segs.append((v, label))

    def extend(self, segs: list[Seg]) -> None:
        self.segs.extend(segs)

    def words(self) -> int:
        return sum(s.count(" ") + s.count("\n") for s, _ in self.segs)

    def finish(self, rng: random.Random) -> tuple[str, list[dict]]:
        r = rng.random()
        mode = "lower" if r < 0.07 else "upper" if r < 0.11 else "elower" if r < 0.18 else "eupper" if r < 0.23 else ""
        parts: list[str] = []
        spans: list[dict] = []
        pos = 0
        for s, lab in self.segs:
            if mode == "lower" and lab not in _CASE_EXEMPT:
                s = s.lower()
            elif mode == "upper" and lab not in _CASE_EXEMPT:
                s = s.upper()
            elif mode and lab in _ENT_CASED and rng.random() < 0.6:
                s = s.lower() if mode == "elower" else s.upper()
            if lab is not None:
                core = s.strip()
                if core:
                    lead = len(s) - len(s.lstrip())
                    start = pos + lead
                    spans.append({"start": start, "end": start + len(core), "label": lab})
            parts.append(s)
            pos += len(s)
        return "".join(parts), spans


# --------------------------------------------------------------------------------------------------
# Template mini-language: {slot}  [a|b|c]  [?optional 50%]  [??optional 25%]  \x escapes x
# --------------------------------------------------------------------------------------------------

def compile_template(src: str) -> list:
    pos = 0

    def seq(stop: str) -> list:
        nonlocal pos
        out: list = []
        buf: list[str] = []

        def flush():
            if buf:
                out.append("".join(buf))
                buf.clear()

        while pos < len(src):
            ch = src[pos]
            if ch == "\\" and pos + 1 < len(src):
                buf.append(src[pos + 1])
                pos += 2
            elif ch in stop:
                break
            elif ch == "{":
                end = src.index("}", pos)
                flush()
                out.append(("s", src[pos + 1:end]))
                pos = end + 1
            elif ch == "[":
                flush()
                pos += 1
                if src.startswith("??", pos):
                    pos += 2
                    body = seq("]")
                    pos += 1
                    out.append(("o", 0.25, body))
                elif src.startswith("?", pos):
                    pos += 1
                    body = seq("]")
                    pos += 1
                    out.append(("o", 0.5, body))
                else:
                    alts = [seq("|]")]
                    while src[pos] == "|":
                        pos += 1
                        alts.append(seq("|]"))
                    pos += 1
                    out.append(("a", alts))
            else:
                buf.append(ch)
                pos += 1
        flush()
        return out

    res = seq("")
    if pos != len(src):
        raise ValueError(f"unbalanced template near {src[pos:pos + 30]!r}")
    return res


class SlotContext(Protocol):
    """What ``render`` needs of the generator's per-document context (``generator.Ctx``)."""

    rng: random.Random

    def slot(self, name: str) -> list[Seg]: ...


def render(nodes: list, d: Doc, c: SlotContext) -> None:
    for n in nodes:
        if type(n) is str:
            d.t(n)
        elif n[0] == "s":
            d.extend(c.slot(n[1]))
        elif n[0] == "a":
            render(c.rng.choice(n[1]), d, c)
        elif c.rng.random() < n[1]:
            render(n[2], d, c)


_COMPILED: dict[str, list] = {}


def compiled(src: str) -> list:
    v = _COMPILED.get(src)
    if v is None:
        v = _COMPILED[src] = compile_template(src)
    return v
