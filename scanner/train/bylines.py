"""Training records for names in lists, and lists that hold no names.

The template generator writes one or two names per sentence, so the model learnt that a third name in
"written by A, B and C" is unlikely, and (from Faker's company names) that any "A, B and C" is an
organisation. These short records teach both halves: bylines, credits, attendee lists and news
sentences with several diverse names (any locale, hyphenated and particle surnames, bare surnames
after a cue), and lists of tools, languages, places and products in the same shapes, labelled
``O`` (places as LOCATION).
"""

from __future__ import annotations

import random

from .fakes import Persona

# Things that appear in "A, B and C" lists of technical and business prose: never people.
THINGS = (
    "Linux macOS Windows FreeBSD Android iOS Python Rust Go Java Kotlin Swift Perl Ruby Haskell "
    "PostgreSQL MySQL SQLite Redis Kafka Docker Kubernetes Terraform Ansible Jenkins GitHub GitLab "
    "Bitbucket NumPy SciPy Pandas PyTorch TensorFlow Django Flask React Angular Vue Webpack Babel "
    "Chrome Firefox Safari Edge Nginx Apache Tomcat Maven Gradle CMake Bazel Meson Ninja Vim Emacs "
    "Markdown YAML JSON TOML XML Unicode UTF-8 OpenSSL LibreSSL Zlib Brotli Zstandard Wayland X11"
).split()
THING_PHRASES = (
    "the Billing Service", "the Search Team", "Project Atlas", "the Release Board", "Quality Assurance",
    "the Security Working Group", "Customer Success", "the Data Platform", "Legal", "Procurement",
    "the Steering Committee", "Marketing", "the Finance Office", "Operations", "Site Reliability",
)
PLACES = (
    "Berlin Lagos Nairobi Lisbon Osaka Chennai Bogotá Kraków Gothenburg Hanoi Accra Montréal Porto "
    "Valparaíso Tbilisi Ljubljana Dhaka Cebu Izmir Oaxaca Tampere Brno Cluj Medan Galway Bergen"
).split()

PERSON_LISTS = (
    "Written by {a}, {b} and {c}.",
    "This guide was written by {a}, {b} and {c}, with help from {d}.",
    "Authors: {a}, {b}, {c}",
    "Thanks to {a}, {b} and {c} for reviewing early drafts.",
    "Present: {a}, {b}, {c} and {d}. Apologies: {e}.",
    "Attendees: {a}; {b}; {c}",
    "The panel included {a}, {b} and {c}.",
    "{a}, {b} and {c} were elected to the board on Tuesday.",
    "Notes from {la} and {lb}, taken by {c}.",
    "Reviewed by {a} and {b}; approved by {c}.",
    "The paper by {a}, {b} and {c} reports the same effect.",
    "Contributors include {a}, {b}, {c} and {d}.",
    "{a} ({role}) and {b} ({role2}) met {c} in {place}.",
    "According to {la}, the change was proposed by {b} and seconded by {lc}.",
    "Speakers: {a} · {b} · {c}",
)
# Papers cite surnames alone and obituaries name children by first name alone: no full name nearby.
CITATIONS = (
    "{la} and {lb} ({year}) report the same effect.",
    "As shown by {la} et al. ({year}), the bias is small.",
    "This follows {la}, {lb} and {lc} ({year}).",
    "Earlier work ({la} et al., {year}; {lb} and {lc}, {year2}) used smaller samples.",
    "[{n}] {ca} and {cb}. Estimating the effect of class size. Journal of Economics, {year}.",
    "Our implementation builds on the released code of {la} et al.",
    "{la}'s ({year}) estimator is used throughout.",
    "This matches {la} and {lb} ({year}); {lc} et al. ({year2}) report the opposite.",
    "The method of {la} [{n}] was extended by {lb} and {lc}.",
    "{a} is survived by {pos} wife, {fb}, and their children, {fc} and {fd}.",
    "{a} moved to {place} with {pos} daughter, {fb}, in {year}.",
    "{fa}, {pos} eldest son, read a poem at the funeral.",
)
THING_LISTS = (
    "Supported on {t1}, {t2} and {t3}.",
    "Works with {t1}, {t2}, {t3} and {t4}.",
    "Requires {t1} and {t2}; {t3} is optional.",
    "Tested against {t1}, {t2} and {t3} in CI.",
    "Thanks to {p1}, {p2} and {p3} for their support.",
    "Present: {p1}, {p2} and {p3}.",
    "Bindings exist for {t1}, {t2}, {t3} and {t4}.",
    "The plugin integrates {t1}, {t2} and {t3}.",
    "Owners: {p1}; {p2}",
)
PLACE_LISTS = (
    "Offices in {l1}, {l2} and {l3}.",
    "The tour visits {l1}, {l2}, {l3} and {l4}.",
)
ROLES = ("chair", "secretary", "treasurer", "editor", "reviewer", "CTO", "counsel", "lead")


def _person(rng: random.Random) -> Persona:
    p = Persona(rng)
    if rng.random() < 0.12 and not p.native:  # double-barrelled surname
        p.last = f"{p.last}-{Persona(rng).last}"
    return p


def _fill(template: str, values: dict[str, tuple[str, str | None]]) -> dict:
    """Render ``template`` with ``values`` (name -> (text, label or None)); spans follow the text."""
    out, spans, i = [], [], 0
    pos = 0
    while True:
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            break
        k = template.index("}", j)
        out.append(template[i:j])
        pos += len(template[i:j])
        text, label = values[template[j + 1:k]]
        if label:
            spans.append({"start": pos, "end": pos + len(text), "label": label})
        out.append(text)
        pos += len(text)
        i = k + 1
    return {"text": "".join(out), "spans": spans, "ignore": []}


def byline_record(rng: random.Random) -> dict:
    """One short record: a list of people (labelled), of things (O) or of places (LOCATION)."""
    kind = rng.random()
    if kind < 0.55:
        people = [_person(rng) for _ in range(5)]
        vals: dict[str, tuple[str, str | None]] = {}
        for key, p in zip("abcde", people):
            vals[key] = (p.full, "PERSON")
            vals["l" + key] = (p.last, "PERSON")
            vals["f" + key] = (p.first, "PERSON")
            vals["c" + key] = (p.full if p.native else f"{p.first[:1]}. {p.last}", "PERSON")  # reference list
        vals["role"] = (rng.choice(ROLES), None)
        vals["role2"] = (rng.choice(ROLES), None)
        vals["place"] = (rng.choice(PLACES), "LOCATION")
        vals["year"] = (str(rng.randint(1950, 2025)), None)
        vals["year2"] = (str(rng.randint(1950, 2025)), None)
        vals["n"] = (str(rng.randint(1, 60)), None)
        vals["pos"] = (rng.choice(("his", "her")), None)
        return _fill(rng.choice(PERSON_LISTS + CITATIONS if rng.random() < 0.5 else CITATIONS), vals)
    if kind < 0.9:
        things = rng.sample(THINGS, 4)
        phrases = rng.sample(THING_PHRASES, 3)
        vals = {f"t{i + 1}": (t, None) for i, t in enumerate(things)}
        vals |= {f"p{i + 1}": (t, None) for i, t in enumerate(phrases)}
        return _fill(rng.choice(THING_LISTS), vals)
    places = rng.sample(PLACES, 4)
    return _fill(rng.choice(PLACE_LISTS), {f"l{i + 1}": (t, "LOCATION") for i, t in enumerate(places)})


def join(parts: list[dict], rng: random.Random, seps: tuple[str, ...]) -> dict:
    """One record from several, each after a separator drawn from ``seps``; spans move with the text."""
    text, spans = "", []
    for p in parts:
        sep = "" if not text else rng.choice(seps)
        off = len(text) + len(sep)
        spans += [{**s, "start": s["start"] + off, "end": s["end"] + off} for s in p["spans"]]
        text += sep + p["text"]
    return {"text": text, "spans": spans, "ignore": []}


def byline_records(n: int, seed: int) -> list[dict]:
    """``n`` records, a few joined per record so the windows carry some context."""
    rng = random.Random(seed)
    return [join([byline_record(rng) for _ in range(rng.randint(1, 3))], rng, (" ", "\n", "\n\n"))
            for _ in range(n)]
