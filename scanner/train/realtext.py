"""Real text read from the machine: the carriers and hard negatives the generator cannot invent.

The shipped model once saw only templates, so anything unfamiliar (markdown and reST tables, shell
sessions, code, option lists, German prose) looked like an entity. These readers take real documents
from sources that install by name from Debian (``make realtext-sources`` names the packages) and from
the installed third-party Python packages' code, in a reproducible order (sorted paths, seeded
sampling). Nothing read here is committed; it is read when ``pii-scanner train`` runs.

Families are disjoint by where they live on disk, so the real-text evaluation in ``benchmarks/``
(npm's bundled READMEs, Perl's POD, man pages in languages training never reads) never sees training
text. Never add here: the long descriptions or READMEs of installed Python packages (``*.dist-info``,
``README*`` under site-packages), Python's standard library, or any changelog: independent
acceptance checks use those.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAN_ROOT = Path("/usr/share/man")
DOC_ROOT = Path("/usr/share/doc")

# Debian packages that hold the training families (install them before training: see the README).
DEBIAN_PACKAGES = ("manpages", "manpages-dev", "manpages-de", "manpages-fr", "manpages-es",
                   "fortunes", "fortunes-de", "fortunes-es", "dict-foldoc", "dict-jargon")


@dataclass(frozen=True, slots=True)
class RealDoc:
    """A chunk of real text: ``family`` names its source kind, ``lang`` what the source says it is."""

    text: str
    family: str
    source: str
    lang: str = "en"


def stable_hash(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")


def read_text(path: Path, limit: int = 400_000) -> str | None:
    """A local file's text (gzip and dictzip too), or None when unreadable or binary."""
    try:
        raw = gzip.open(path).read(limit) if path.suffix in (".gz", ".dz") else path.read_bytes()[:limit]
    except (OSError, EOFError):
        return None
    if b"\x00" in raw[:4096]:
        return None
    return raw.decode("utf-8", errors="ignore")


def render_man(path: Path, width: int = 90) -> str | None:
    """A man page as a reader sees it (option lists, examples, tables), via groff; None if it fails."""
    src = read_text(path)
    if not src or src.lstrip().startswith(".so "):
        return None  # an alias page
    try:
        out = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-P-cbou", f"-rLL={width}n"],
                             input=src.encode(), capture_output=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.decode("utf-8", errors="ignore")
    return re.sub(r"\n{3,}", "\n\n", text).strip() or None


def chunks(text: str, rng: random.Random, lo: int = 300, hi: int = 3000) -> Iterator[str]:
    """Split on blank lines into pieces of lo..hi characters (random sizes: windows see every layout)."""
    paras = re.split(r"(\n\s*\n)", text)
    buf, target = "", rng.randint(lo, hi)
    for p in paras:
        buf += p
        if len(buf) >= target:
            piece = buf.strip("\n")
            if piece.strip():
                yield piece[: hi * 2]
            buf, target = "", rng.randint(lo, hi)
    if len(buf.strip()) >= lo // 3:
        yield buf.strip("\n")


def man_pages(langs: Iterable[str], sections: str = "1578", per_lang: int = 400,
              seed: int = 0) -> Iterator[RealDoc]:
    """Rendered man pages: ``en`` is /usr/share/man/manN, others /usr/share/man/<lang>/manN."""
    for lang in langs:
        root = MAN_ROOT if lang == "en" else MAN_ROOT / lang
        files = sorted(p for s in sections for p in (root / f"man{s}").glob("*") if p.is_file())
        random.Random(f"{seed}:{lang}").shuffle(files)
        files = _few_per_prefix(files)
        n = 0
        for p in files:
            text = render_man(p)
            if text and len(text) > 200:
                n += 1
                yield RealDoc(text, f"man-{lang}", str(p), lang)
            if n >= per_lang:
                break


def _few_per_prefix(files: list[Path], k: int = 4) -> list[Path]:
    """At most k pages per command family (gcloud ships thousands of near-identical pages)."""
    seen: dict[str, int] = {}
    out = []
    for p in files:
        key = re.split(r"[_.-]", p.name, maxsplit=1)[0]
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= k:
            out.append(p)
    return out


_DOC_NAMES = re.compile(r"(?i)^(readme|news|todo|faq|thanks|bugs|usage|install|hacking|"
                        r"contributing|authors)[^/]*$|\.(md|rst|txt)(\.gz)?$")
_NOT_DOCS = re.compile(r"(?i)changelog|copyright|changes|history")


def debian_docs(limit: int = 400, seed: int = 0) -> Iterator[RealDoc]:
    """/usr/share/doc prose (READMEs, NEWS, FAQs, markdown, reST); never changelogs or licences."""
    files = sorted(p for p in DOC_ROOT.rglob("*") if p.is_file() and _DOC_NAMES.search(p.name)
                   and not _NOT_DOCS.search(str(p)))
    random.Random(seed).shuffle(files)
    for p in files[:limit]:
        text = read_text(p)
        if text and len(text) > 200:
            yield RealDoc(text, "debian-doc", str(p))


def _stdlib_dirs() -> list[str]:
    # platstdlib is the venv's lib/pythonX.Y, which holds site-packages itself: not a stdlib marker.
    return [os.path.realpath(sysconfig.get_paths()["stdlib"])]


def python_code(limit: int = 400, seed: int = 0) -> Iterator[RealDoc]:
    """Third-party Python source from site-packages (code only: no READMEs, no metadata, no stdlib)."""
    site = Path(sysconfig.get_paths()["purelib"])
    std = _stdlib_dirs()
    files = sorted(p for p in site.rglob("*.py") if ".dist-info" not in str(p)
                   and not any(os.path.realpath(p).startswith(s + os.sep) for s in std)
                   and "scanner" not in p.parts and p.stat().st_size > 800)
    random.Random(seed).shuffle(files)
    for p in files[:limit]:
        text = read_text(p, 60_000)
        if text:
            yield RealDoc(text, "python-code", str(p.relative_to(site)))


def system_files(limit: int = 300, seed: int = 0) -> Iterator[RealDoc]:
    """Configs under /etc and C headers under /usr/include: real config syntax and real C."""
    files = sorted(p for root in (Path("/etc"), Path("/usr/include")) for p in root.rglob("*")
                   if p.is_file() and not p.is_symlink() and 300 < _size(p) < 200_000)
    files = [p for p in files if "ssl" not in p.parts and "shadow" not in p.name and "key" not in p.name]
    random.Random(seed).shuffle(files)
    for p in files[:limit]:
        text = read_text(p, 60_000)
        if text:
            yield RealDoc(text, "etc" if str(p).startswith("/etc") else "c-headers", str(p))


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def fortunes(limit_per_lang: int = 600, seed: int = 0) -> Iterator[RealDoc]:
    """Quotations and jokes (fortune-mod data: English, German, Spanish), grouped a few at a time."""
    roots = {"en": Path("/usr/share/games/fortunes"), "de": Path("/usr/share/games/fortunes/de"),
             "es": Path("/usr/share/games/fortunes/es")}
    for lang, root in roots.items():
        items: list[str] = []
        for p in sorted(root.glob("*")):
            if p.is_file() and p.suffix in ("", ".fortunes") and (t := read_text(p)):
                items += [x.strip() for x in t.split("\n%\n") if 40 < len(x.strip()) < 1500]
        rng = random.Random(f"{seed}:{lang}")
        rng.shuffle(items)
        for k in range(0, min(len(items), limit_per_lang * 3), 3):
            yield RealDoc("\n\n".join(items[k:k + 3]), f"fortunes-{lang}", str(root), lang)


def dictionaries(limit: int = 400, seed: int = 0) -> Iterator[RealDoc]:
    """FOLDOC and the Jargon File (dictd format): computing prose naming people, firms and places."""
    entries: list[str] = []
    for name in ("foldoc", "jargon"):
        p = Path(f"/usr/share/dictd/{name}.dict.dz")
        if (t := read_text(p, 40_000_000)):
            entries += [e.strip() for e in re.split(r"\n(?=\S)", t) if 200 < len(e.strip()) < 4000]
    random.Random(seed).shuffle(entries)
    for k in range(0, min(len(entries), limit * 2), 2):
        yield RealDoc("\n\n".join(entries[k:k + 2]), "dictionary", "dictd")


Reader = Callable[..., Iterator[RealDoc]]
TRAIN_FAMILIES: dict[str, Reader] = {
    "man": lambda seed: man_pages(("en",), per_lang=700, seed=seed),
    "man-foreign": lambda seed: man_pages(("de", "fr", "es"), per_lang=250, seed=seed),
    "debian-doc": lambda seed: debian_docs(400, seed),
    "python-code": lambda seed: python_code(400, seed),
    "system": lambda seed: system_files(300, seed),
    "fortunes": lambda seed: fortunes(400, seed),
    "dictionary": lambda seed: dictionaries(500, seed),
}


def training_docs(seed: int = 0, families: Iterable[str] | None = None,
                  max_chars: int = 3000) -> list[RealDoc]:
    """Every training family, chunked; empty families (package not installed) say so on stderr."""
    rng = random.Random(seed)
    out: list[RealDoc] = []
    for name in families or TRAIN_FAMILIES:
        n0 = len(out)
        for doc in TRAIN_FAMILIES[name](seed):
            out += [RealDoc(c, doc.family, doc.source, doc.lang) for c in chunks(doc.text, rng, hi=max_chars)]
        if len(out) == n0:
            print(f"real text: family {name!r} is empty here (install {' '.join(DEBIAN_PACKAGES)})",
                  file=sys.stderr)
    return out
