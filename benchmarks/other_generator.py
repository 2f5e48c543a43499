"""The scanner on synthetic text written by another team's generator: Presidio's evaluator.

The project's held-out split shares its value generators and style with training, so it flatters.
``presidio-evaluator`` (PyPI, MIT; Microsoft's Presidio team) ships its own sentence templates and
Faker providers (``PresidioSentenceFaker``): short sentences and address blocks with people,
addresses, places, organisations, cards, phones, dates, ages, IBANs, SSNs and domains, 5% lower-cased.
Nothing of it is used in training. This generates ``--n`` sentences with a fixed seed, maps its
entity types to ours (``MAP``; ``TITLE`` is dropped: our PERSON excludes titles), and scores the full
scan with ``scanner.evaluate.score``:

* any-PII overlap F1 (label-agnostic), label F1 (overlap, the label must match), character
  precision and recall (label-agnostic, what redaction needs);
* all of the scanner's findings, and only the labels that generator ever annotates (a MEDICAL or
  USERNAME finding on its text is neither right nor wrong by its gold);
* the latter in our address convention: that generator labels an address's parts apart (building
  number, street, unit, city and country as GPE, ZIP code), where our STREET_ADDRESS is the whole
  postal address as written, so one right span scores as one hit and five misses. ``merge_addresses``
  joins a run of address parts (with their city and country) into one STREET_ADDRESS span first;
* and, apart, also in our DATE convention: its DATE_TIME gold includes bare years ("founded in 1991")
  and weekdays ("on Friday"), which our DATE leaves out by design (``our_dates``). The headline
  numbers are the row before it.

One seed is one sample of its templates (any-PII F1 moves by about 0.005 between seeds): the first of
``--seeds`` is scored every way above, and each seed (and their mean) in the headline way.

Generation is reproducible from the seed except the microseconds of its relative timestamps. Its
templates write line breaks as the two characters ``\\n``; they are turned into real line breaks
(offsets moved with them). ``make bench`` installs the package with ``--no-deps`` (its runtime needs
only Faker, ``python-dotenv`` and ``xmltodict`` for generating). ``python benchmarks/other_generator.py
[--n 2000] [--seeds 42,7,123] [--precision fp32|int8] [--model DIR]``; results go to
``benchmarks/results/other-generator-<machine>-<UTC time>.{json,md}``. ``--peers`` adds Presidio and
Rampart, each scored with the scanner on the labels both it and that generator have (addresses
folded into LOCATION on every side, ``peers.PEER_LABELS``).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchlib.machine import machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402

# presidio-evaluator entity type -> our label (None: not scored).
MAP: dict[str, str | None] = {
    "PERSON": "PERSON", "STREET_ADDRESS": "STREET_ADDRESS", "ZIP_CODE": "STREET_ADDRESS",
    "GPE": "LOCATION", "LOCATION": "LOCATION", "ORGANIZATION": "ORGANIZATION", "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE", "DATE_TIME": "DATE", "AGE": "AGE", "NRP": "NRP", "EMAIL_ADDRESS": "EMAIL",
    "DOMAIN_NAME": "URL", "URL": "URL", "IBAN_CODE": "BANK_ACCOUNT", "US_SSN": "ID_NUMBER",
    "US_DRIVER_LICENSE": "ID_NUMBER", "US_PASSPORT": "ID_NUMBER", "IP_ADDRESS": "IP_ADDRESS", "TITLE": None,
}


def real_newlines(text: str, spans: list[dict]) -> tuple[str, list[dict]]:
    """``text`` with each two-character ``\\n`` made a line break, and ``spans`` moved to match."""
    out, where, i = [], [], 0  # where[k]: new offset of old offset k
    while i < len(text):
        where.append(len(out))
        if text.startswith("\\n", i):
            out.append("\n")
            where.append(len(out))
            i += 2
            continue
        out.append(text[i])
        i += 1
    where.append(len(out))
    return "".join(out), [{**s, "start": where[s["start"]], "end": where[s["end"]]} for s in spans]


_ADDRESS_PARTS = frozenset({"STREET_ADDRESS", "LOCATION"})
# Its address blocks come with line prefixes of their own ("???", "}}"): they sit between parts too.
_BETWEEN_PARTS = re.compile(r"[\s,?}]*")


def merge_addresses(text: str, spans: list[dict]) -> list[dict]:
    """Gold spans with each run of address parts (at least one STREET_ADDRESS, and the LOCATIONs in
    it, separated only by spaces, line breaks, commas and the line prefixes "???" and "}}") made one
    STREET_ADDRESS span."""
    out: list[dict] = []
    run: list[dict] = []

    def flush() -> None:
        if any(s["label"] == "STREET_ADDRESS" for s in run):
            out.append({"start": run[0]["start"], "end": run[-1]["end"], "label": "STREET_ADDRESS"})
        else:
            out.extend(run)
        run.clear()

    for s in sorted(spans, key=lambda s: s["start"]):
        if run and (s["label"] not in _ADDRESS_PARTS
                    or not _BETWEEN_PARTS.fullmatch(text[run[-1]["end"]:s["start"]])):
            flush()
        if s["label"] in _ADDRESS_PARTS:
            run.append(s)
        else:
            out.append(s)
    flush()
    return sorted(out, key=lambda s: s["start"])


# Our DATE is a calendar date (with its time of day where one is written); a bare year or a weekday
# names no day (HIPAA's Safe Harbor keeps years too). That generator labels both DATE_TIME.
_NOT_OUR_DATE = re.compile(r"(?i)\d{4}|(?:mon|tues|wednes|thurs|fri|satur|sun)day")


def our_dates(text: str, spans: list[dict]) -> list[dict]:
    """Gold spans without the DATEs our convention does not label (a bare year, a weekday)."""
    return [s for s in spans
            if s["label"] != "DATE" or not _NOT_OUR_DATE.fullmatch(text[s["start"]:s["end"]])]


def generate(n: int, seed: int) -> list[dict]:
    """``n`` labelled records from Presidio's generator, in our labels."""
    logging.getLogger("presidio-evaluator").setLevel(logging.ERROR)
    import random

    import numpy as np
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    random.seed(seed)  # some of its providers draw from the global generators, not the seeded Faker
    np.random.seed(seed)
    faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=seed)
    records = []
    for k, sample in enumerate(faker.generate_new_fake_sentences(n)):
        spans = [{"start": sp.start_position, "end": sp.end_position, "label": MAP[sp.entity_type]}
                 for sp in sample.spans if MAP.get(sp.entity_type)]
        text, spans = real_newlines(sample.full_text, sorted(spans, key=lambda s: s["start"]))
        records.append({"id": f"pe-{k}", "text": text, "spans": spans})
    return records


def render(doc: dict) -> str:
    lines = [f"# The scanner on another team's generator (presidio-evaluator) {doc['when']}", "",
             machine_line(doc["machine"]), "",
             f"model {doc['model']} ({doc['precision']}); {doc['n']} sentences, seed {doc['seed']}", "",
             "| scored | any-PII overlap F1 | label F1 (overlap) | label F1 (exact) | char precision | char recall |",
             "|---|---|---|---|---|---|"]
    for name, r in doc["scores"].items():
        lines.append(f"| {name} | {r['agnostic_overlap']['f1']} | {r['micro_overlap']['f1']} | "
                     f"{r['micro_exact']['f1']} | {r['char']['precision']} | {r['char']['recall']} |")
    lines += ["", f"Its labels, whole addresses, by seed ({doc['n']} sentences each):", "",
              "| seed | any-PII overlap F1 | label F1 (overlap) | char precision | char recall |", "|---|---|---|---|---|"]
    for seed, r in doc["by_seed"].items():
        lines.append(f"| {seed} | {r['any_pii_f1']} | {r['label_f1']} | {r['char_precision']} | {r['char_recall']} |")
    lines += ["", "Per label (its labels, whole addresses; overlap precision / recall / F1, gold count):", "",
              "| label | precision | recall | F1 | gold |", "|---|---|---|---|---|"]
    for label, p in doc["scores"]["its labels, whole addresses"]["per_label"].items():
        o = p["overlap"]
        lines.append(f"| {label} | {o['precision']} | {o['recall']} | {o['f1']} | {o['tp'] + o['fn']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seeds", default="42,7,123", help="comma-separated; the first is scored every way")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--peers", action="store_true", help="also Presidio and Rampart")
    args = ap.parse_args()
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # offline: Presidio's URL recognizer
    from scanner.evaluate import predict, score
    from scanner.model import ModelInfo
    from scanner.pipeline import Scanner, ScanOptions

    seeds = [int(x) for x in args.seeds.split(",")]
    scanner = Scanner(ScanOptions(precision=args.precision, model=args.model))
    its = {label for label in MAP.values() if label}
    by_seed: dict[str, dict] = {}
    for seed in seeds:
        records = generate(args.n, seed)
        found = predict(scanner, records)
        texts, gold = [r["text"] for r in records], [r["spans"] for r in records]
        whole = [merge_addresses(t, g) for t, g in zip(texts, gold)]
        by_seed[str(seed)] = headline(score(texts, whole, found, labels=its).as_dict())
        if seed == seeds[0]:
            first = texts, gold, whole, found
    by_seed["mean"] = {k: round(sum(r[k] for r in by_seed.values()) / len(seeds), 4) for k in by_seed[str(seeds[0])]}
    texts, gold, whole, found = first
    info = ModelInfo.resolve(args.model)
    doc = {"benchmark": "other_generator", "when": utc_iso(), "n": args.n, "seed": seeds[0], "by_seed": by_seed,
           "precision": args.precision, "model": f"{info.id} (sha256 {info.sha256[:12]})",
           "generator": "presidio-evaluator PresidioSentenceFaker en_US, lower_case_ratio 0.05",
           "scores": {"all findings": score(texts, gold, found).as_dict(),
                      "its labels only": score(texts, gold, found, labels=its).as_dict(),
                      "its labels, whole addresses": score(texts, whole, found, labels=its).as_dict(),
                      "its labels, whole addresses, our dates": score(
                          texts, [our_dates(t, g) for t, g in zip(texts, whole)], found, labels=its).as_dict()}}
    if args.peers:
        doc["scores"] |= peer_scores(texts, whole, found, its)
    write_result("other-generator", doc, render, args.out)


def headline(r: dict) -> dict:
    """The four numbers issue 11 sets targets for, from a ``Report.as_dict()``."""
    return {"any_pii_f1": r["agnostic_overlap"]["f1"], "label_f1": r["micro_overlap"]["f1"],
            "char_precision": r["char"]["precision"], "char_recall": r["char"]["recall"]}


def peer_scores(texts: list[str], gold: list[list[dict]], found, its: set[str]) -> dict:
    """Each installed peer and the scanner on the labels that peer and the generator share."""
    import peers

    from scanner.evaluate import score

    out = {}
    for name, available, load in (("presidio", peers.presidio_available, peers.load_presidio),
                                  ("rampart", peers.rampart_available, peers.load_rampart)):
        if (why := available()) is not None:
            print(f"{name}: {why}")
            continue
        emits, fold = peers.PEER_LABELS[name]
        shared = {fold.get(label, label) for label in its} & set(emits)
        predict = load()
        theirs = [peers.collapse(predict(t), fold) for t in texts]
        g = [peers.collapse(x, fold) for x in gold]
        out[f"{name} (labels it shares)"] = score(texts, g, theirs, labels=shared).as_dict()
        out[f"pii-scanner (the same labels as {name})"] = score(
            texts, g, [peers.collapse(x, fold) for x in found], labels=shared).as_dict()
    return out


if __name__ == "__main__":
    main()
