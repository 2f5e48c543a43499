"""Synthetic, span-annotated documents for training and evaluating the PII token classifier.

Usage::

    from scanner.train.generator import generate, write_jsonl
    for doc in generate(1000, seed=7, split="train"): ...
    python -m scanner.train.generator --n 1000 --seed 7 --split heldout -o out.jsonl

Each document is ``{"id", "text", "genre", "spans": [{"start", "end", "label"}]}``; offsets are Python
``str`` offsets into ``text`` (half-open), spans never overlap and never start or end on whitespace.
Output is a pure function of ``(n, seed, split)``: one ``random.Random`` per call, Faker re-seeded from
it before each use (see ``fakes``).

Annotation conventions (what the model learns; keep the rules, the evaluator and this in sync):

* PERSON - the name only; titles and honorifics ("Dr.", "Ms.", "Herr") are NOT part of the span.
  "Last, First" is one span. Every person name is labelled, private or public, in any genre.
* STREET_ADDRESS - the WHOLE contiguous postal address as written: street line, unit, postcode, city,
  state, country, single-line or spread over several lines (inner newlines are inside the span). A bare
  street line ("lives at 12 Elm Street") is also STREET_ADDRESS. A city, region or country mentioned
  on its own is LOCATION.
* DATE - calendar dates (day-level, with or without year) in prose, records and data fields: dates of
  birth, appointments, hire dates, signature/effective/invoice dates; with its time of day when a form,
  a header or a sentence writes one ("Seen: 2024-03-05 14:30", "On 2017-10-07 15:26:53, ..."), the whole
  date-time. NOT labelled: log lines' and machine fields' timestamps (``created_at``), relative phrases
  ("next week", "Q3"), bare years, weekdays.
* AGE - the number only ("42" in "42-year-old", "age 67", "aged 35"). Doses, counts and durations
  ("250 mg", "5 years of experience") are not ages.
* ID_NUMBER / BANK_ACCOUNT / CREDIT_CARD / IP_ADDRESS / EMAIL / PHONE - the value only, without its
  key ("SSN:", "MRN", "IBAN"). BANK_ACCOUNT covers IBANs, account numbers, routing numbers and sort codes.
* USERNAME - login names and handles; a leading "@" of a handle is part of the span.
* URL - every full URL (scheme or ``www.``); bare API paths and file paths are not URLs.
* PASSWORD - the password value only (never the ``password=`` key); SECRET - API keys, tokens, JWTs and
  whole private-key blocks (BEGIN to END line inclusive).
* ORGANIZATION / LOCATION / NRP - labelled wherever they appear, news included ("the Federal
  Reserve" -> "Federal Reserve"). MEDICAL - conditions, medications, procedures, symptoms (not doses).
* Hard negatives, never labelled: kinship/role words, relative times, quantities, invoice/order/ticket
  numbers, versions, hashes, UUIDs, SKUs, prices, HTTP codes, ports, hostnames, log timestamps,
  "card ending in 4242", common words that are also names (grant, bill, page, rose...).

Split: "heldout" is rendered only from templates the "train" split never uses, including whole genres
train never sees (``HELDOUT_ONLY_GENRES``); value generators are shared.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from collections.abc import Callable, Iterator

from scanner import jsonl
from scanner.train import fakes as F
from scanner.train import templates as T
from scanner.train.template_lang import Doc, Seg, compile_template, compiled, render  # noqa: F401  (re-exported)

# --------------------------------------------------------------------------------------------------
# Slots
# --------------------------------------------------------------------------------------------------

def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Ctx:
    """Per-document state: personas and cached values so repeated slots refer to the same entity."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cache: dict[str, list[Seg]] = {}
        self.personas: dict[str, F.Persona] = {}
        self.long = False

    def p(self, idx: str) -> F.Persona:
        per = self.personas.get(idx)
        if per is None:
            per = self.personas[idx] = F.Persona(self.rng)
        return per

    def val(self, key: str, fn: Callable[[], object]):
        k = "\0" + key
        v = self.cache.get(k)
        if v is None:
            v = self.cache[k] = fn()
        return v

    def slot(self, name: str) -> list[Seg]:
        v = self.cache.get(name)
        if v is not None:
            return v
        base = name.rstrip("0123456789")
        idx = name[len(base):] or "1"
        if base in FRESH:
            return FRESH[base](self, idx)
        fn = SLOTS.get(base)
        if fn is None:
            raise KeyError(f"unknown slot {name!r}")
        v = self.cache[name] = fn(self, idx)
        return v

    def fresh(self, name: str) -> list[Seg]:
        """Like slot() but never cached: a new value each call."""
        base = name.rstrip("0123456789")
        idx = name[len(base):] or "1"
        fn = FRESH.get(base) or SLOTS[base]
        return fn(self, idx)

    def text(self, name: str) -> str:
        return "".join(s for s, _ in self.slot(name))


def L(label: str | None, v: str) -> list[Seg]:
    return [(v, label)]


def _org(c: Ctx, i: str) -> str:
    per = c.personas.get(i)
    return c.val("org" + i, lambda: F.org_name(c.rng, per.last if per and c.rng.random() < 0.3 else None))


def _domain(c: Ctx, i: str) -> str:
    return c.val("dom" + i, lambda: F.org_domain(_org(c, i), c.rng))


def _natid(c: Ctx, i: str) -> tuple[str, str]:
    return c.val("nid" + i, lambda: F.national_id(c.rng))


def _card(c: Ctx, i: str) -> tuple[str, str]:
    return c.val("card" + i, lambda: F.card(c.rng))


def _name_form(c: Ctx, i: str) -> str:
    p = c.p(i)
    return p.full


def _title_name(c: Ctx, i: str) -> list[Seg]:
    p = c.p(i)
    t = p.title if c.rng.random() < 0.8 else c.rng.choice(F.TITLES_ANY)
    return [(t + " ", None), (p.last if c.rng.random() < 0.6 else p.full, "PERSON")]


def _date(c: Ctx, i: str, y0: int = 2019, y1: int = 2026) -> list[Seg]:
    return L("DATE", F.fmt_date(F.rand_date(c.rng, y0, y1), c.rng))


def _secret(kind: str | None):
    return lambda c, i: L("SECRET", F.secret(c.rng, kind)[1])


SLOTS: dict[str, Callable[[Ctx, str], list[Seg]]] = {
    # persona
    "name": lambda c, i: L("PERSON", _name_form(c, i)),
    "first": lambda c, i: L("PERSON", c.p(i).first),
    "last": lambda c, i: L("PERSON", c.p(i).last),
    "tname": _title_name,
    "lastfirst": lambda c, i: L("PERSON", f"{c.p(i).last.upper() if c.rng.random() < 0.3 else c.p(i).last}, {c.p(i).first}"),
    "initial": lambda c, i: L("PERSON", f"{c.p(i).first[0]}. {c.p(i).last}"),
    "email": lambda c, i: L("EMAIL", c.p(i).email()),
    "wemail": lambda c, i: L("EMAIL", c.p(i).email(_domain(c, i))),
    "user": lambda c, i: L("USERNAME", c.p(i).username),
    "handle": lambda c, i: L("USERNAME", "@" + c.p(i).username.replace("-", "_").replace(".", "_")),
    "phone": lambda c, i: L("PHONE", F.phone(c.rng)),
    "mobile": lambda c, i: L("PHONE", F.phone(c.rng)),
    "dob": lambda c, i: L("DATE", F.fmt_date(c.p(i).dob, c.rng)),
    "age": lambda c, i: L("AGE", str(c.p(i).age)),
    "addr": lambda c, i: L("STREET_ADDRESS", F.address(c.rng, c.p(i).locale)),
    "addrline": lambda c, i: L("STREET_ADDRESS", F.address(c.rng, c.p(i).locale, "line")),
    "addrml": lambda c, i: L("STREET_ADDRESS", F.address(c.rng, c.p(i).locale, "multi")),
    "street": lambda c, i: L("STREET_ADDRESS", F.address(c.rng, c.p(i).locale, "street")),
    "city": lambda c, i: L("LOCATION", c.rng.choice(F.CITIES)),
    "country": lambda c, i: L("LOCATION", c.rng.choice(F.COUNTRIES)),
    "loc": lambda c, i: L("LOCATION", F.location(c.rng)),
    "idk": lambda c, i: L(None, _natid(c, i)[0]),
    "idv": lambda c, i: L("ID_NUMBER", _natid(c, i)[1]),
    "ssn": lambda c, i: L("ID_NUMBER", F.ssn(c.rng)),
    "passport": lambda c, i: L("ID_NUMBER", F.passport(c.rng)),
    "dl": lambda c, i: L("ID_NUMBER", F.driver_licence(c.rng)),
    "nino": lambda c, i: L("ID_NUMBER", F.uk_nino(c.rng)),
    "nhs": lambda c, i: L("ID_NUMBER", F.nhs_number(c.rng)),
    "taxid": lambda c, i: L("ID_NUMBER", F.tax_id(c.rng)),
    "mrn": lambda c, i: L("ID_NUMBER", F.mrn(c.rng)),
    "empid": lambda c, i: L("ID_NUMBER", F.employee_id(c.rng)),
    "url": lambda c, i: L("URL", F.personal_url(c.rng, c.p(i).username, c.p(i).ascii_first, c.p(i).ascii_last, _domain(c, i))),
    "site": lambda c, i: L("URL", c.rng.choice(["https://www.", "https://", "www.", "http://"]) + _domain(c, i)
                           + c.rng.choice(["", "", "/careers", "/contact", "/privacy", "/news"])),
    "nat": lambda c, i: L("NRP", c.rng.choice(F.NATIONALITIES)),
    "rel": lambda c, i: L("NRP", c.rng.choice(F.RELIGIONS)),
    "pol": lambda c, i: L("NRP", c.rng.choice(F.POLITICAL)),
    "eth": lambda c, i: L("NRP", c.rng.choice(F.ETHNIC)),
    "nrp": lambda c, i: L("NRP", c.rng.choice(c.rng.choice([F.NATIONALITIES, F.RELIGIONS, F.POLITICAL, F.ETHNIC]))),
    "card": lambda c, i: L("CREDIT_CARD", _card(c, i)[1]),
    "brand": lambda c, i: L(None, _card(c, i)[0]),
    "iban": lambda c, i: L("BANK_ACCOUNT", F.iban(c.rng)),
    "acct": lambda c, i: L("BANK_ACCOUNT", F.account_number(c.rng)),
    "routing": lambda c, i: L("BANK_ACCOUNT", F.routing_number(c.rng)),
    "sortcode": lambda c, i: L("BANK_ACCOUNT", F.sort_code(c.rng)),
    "pw": lambda c, i: L("PASSWORD", F.password(c.rng)),
    "ip": lambda c, i: L("IP_ADDRESS", F.ip(c.rng)),
    "v4ip": lambda c, i: L("IP_ADDRESS", F.ipv4(c.rng)),
    "v6ip": lambda c, i: L("IP_ADDRESS", F.ipv6(c.rng)),
    # organizations, dates, medicine
    "org": lambda c, i: L("ORGANIZATION", _org(c, i)),
    "realorg": lambda c, i: L("ORGANIZATION", c.rng.choice(F.REAL_ORGS)),
    "domain": lambda c, i: L(None, _domain(c, i)),
    "date": _date,
    "pdate": lambda c, i: _date(c, i, 2015, 2024),
    "sdate": lambda c, i: L("DATE", F.short_date(F.rand_date(c.rng, 2020, 2026), c.rng)),
    "isodate": lambda c, i: L("DATE", F.rand_date(c.rng, 2019, 2026).isoformat()),
    "isodob": lambda c, i: L("DATE", c.p(i).dob.isoformat()),
    "dtime": lambda c, i: L("DATE", F.date_time(c.rng)),
    "med": lambda c, i: L("MEDICAL", F.medical(c.rng)),
    "cond": lambda c, i: L("MEDICAL", F.medical(c.rng, "c")),
    "drug": lambda c, i: L("MEDICAL", F.medical(c.rng, "m")),
    "proc": lambda c, i: L("MEDICAL", F.medical(c.rng, "p")),
    "sym": lambda c, i: L("MEDICAL", F.medical(c.rng, "s")),
    # secrets
    "awsid": _secret("aws_id"), "awssecret": _secret("aws_secret"), "ghtoken": _secret("github"),
    "slacktoken": _secret("slack"), "stripekey": _secret("stripe"), "jwt": _secret("jwt"),
    "googlekey": _secret("google"), "apikey": _secret(None), "hexkey": _secret("hex"),
    "sendgrid": _secret("sendgrid"), "pem": lambda c, i: L("SECRET", F.private_key_block(c.rng)),
}

_FILLERS = [
    "Ticket {ticket} was escalated {reltime}.", "Invoice {inv} for {price} is due {reltime}.",
    "Build {ver} ({sha}) fixed the {status} errors on port {port}.", "{Kin} called {reltime} about the delay.",
    "{cws}", "{cws}", "{cws}", "We shipped {qty} under {po}.", "Request {uuid} returned HTTP {status}.",
    "Please review {ticket} {reltime}.", "SKU {sku} is back in stock at {price}.",
    "[The|Our] team will follow up {reltime}.", "I spoke with {kin} {reltime}.",
    "{Kin2} asked for {qty} more.", "Reference: {po}.", "Version {ver} rolls out {reltime}.",
    "Commit {sha} is tagged {ver}.", "The meeting moved to {reltime}.", "{Kin} approved the change.",
    "That is {qty} in total, {price} before tax.", "Error code E{num} again after {qty}.",
    "Thanks again for your patience.", "Let me know if anything is unclear.", "All tests passed on {host}.",
]


def _filler(c: Ctx, i: str) -> list[Seg]:
    d = Doc()
    render(compiled(c.rng.choice(_FILLERS)), d, c)
    return d.segs


def _kin(c: Ctx, i: str) -> list[Seg]:
    return L(None, c.rng.choice(F.KINSHIP_ROLES))


def _job(c: Ctx, i: str) -> list[Seg]:
    """A job title, never an entity: the short list, or any of Faker's occupations."""
    return L(None, c.rng.choice(_JOBS if c.rng.random() < 0.5 else F.FAKER_JOBS))


FRESH: dict[str, Callable[[Ctx, str], list[Seg]]] = {
    "inv": lambda c, i: L(None, F.invoice_no(c.rng)), "po": lambda c, i: L(None, F.order_no(c.rng)),
    "ticket": lambda c, i: L(None, F.ticket_id(c.rng)), "ver": lambda c, i: L(None, F.version(c.rng)),
    "sha": lambda c, i: L(None, F.sha(c.rng)), "uuid": lambda c, i: L(None, F.uuid(c.rng)),
    "sku": lambda c, i: L(None, F.sku(c.rng)), "price": lambda c, i: L(None, F.price(c.rng)),
    "qty": lambda c, i: L(None, c.rng.choice(F.QUANTITIES)), "reltime": lambda c, i: L(None, c.rng.choice(F.REL_TIMES)),
    "Reltime": lambda c, i: L(None, _cap(c.rng.choice(F.REL_TIMES))),
    "kin": _kin, "Kin": lambda c, i: L(None, _cap(c.rng.choice(F.KINSHIP_ROLES))),
    "ts": lambda c, i: L(None, F.log_timestamp(c.rng)), "status": lambda c, i: L(None, F.http_status(c.rng)),
    "port": lambda c, i: L(None, F.port(c.rng)), "host": lambda c, i: L(None, F.hostname(c.rng)),
    "cws": lambda c, i: L(None, c.rng.choice(F.COMMON_WORD_SENTENCES)), "filler": _filler,
    "dose": lambda c, i: L(None, f"{c.rng.choice([5, 10, 20, 25, 50, 100, 250, 500, 1000])} {c.rng.choice(['mg', 'mcg', 'mg', 'units', 'ml'])}"),
    "num": lambda c, i: L(None, str(c.rng.randint(2, 9999))), "n": lambda c, i: L(None, str(c.rng.randint(2, 40))),
    "pct": lambda c, i: L(None, f"{c.rng.randint(1, 99)}%"), "lastfour": lambda c, i: L(None, F._digits(c.rng, 4)),
    "dur": lambda c, i: L(None, c.rng.choice(_DURS)),
    "year": lambda c, i: L(None, str(c.rng.randint(2015, 2026))),
    "dept": lambda c, i: L(None, c.rng.choice(_DEPTS)), "job": _job,
    "plan": lambda c, i: L(None, c.rng.choice(["Basic", "Pro", "Enterprise", "Premium", "Free", "Team", "Gold"])),
    "bool": lambda c, i: L(None, c.rng.choice(["true", "false"])),
    "state": lambda c, i: L(None, c.rng.choice(["active", "pending", "closed", "on hold", "churned", "open", "new"])),
    "env": lambda c, i: L(None, c.rng.choice(["production", "staging", "dev", "prod", "qa"])),
    "level": lambda c, i: L(None, c.rng.choice(["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"])),
    "svc": lambda c, i: L(None, c.rng.choice(["auth-service", "billing", "api-gateway", "orders", "notifier",
                                               "user-sync", "payments-worker", "search"])),
    "path": lambda c, i: L(None, c.rng.choice(["/api/v1/users", "/api/v2/orders/", "/login", "/healthz", "/metrics",
                                               "/static/app.js", "/api/v1/payments/charge", "/oauth/token",
                                               "/admin/settings", "/upload"]) + (str(c.rng.randint(1, 99999)) if c.rng.random() < 0.3 else "")),
    "method": lambda c, i: L(None, c.rng.choice(["GET", "GET", "POST", "PUT", "DELETE", "PATCH"])),
    "ms": lambda c, i: L(None, str(c.rng.randint(1, 4000))),
    "amount": lambda c, i: L(None, f"{c.rng.randint(5, 20000)}.{c.rng.randint(0, 99):02d}"),
    "prod": lambda c, i: L(None, c.rng.choice(_PRODUCTS)),
    "fresh_ip": lambda c, i: L("IP_ADDRESS", F.ip(c.rng)),
}

_DURS = ["two weeks", "3 days", "six months", "10 days", "a month", "48 hours", "5 working days", "12 months",
         "three weeks", "a year", "2 years", "90 days", "four days"]
_DEPTS = ["Engineering", "Finance", "Sales", "Marketing", "Human Resources", "Legal", "Operations", "Support",
          "Procurement", "Research", "IT", "Facilities", "Customer Success"]
_JOBS = ["Software Engineer", "Account Executive", "Data Analyst", "HR Business Partner", "Nurse Practitioner",
         "Product Manager", "Warehouse Associate", "Financial Controller", "Support Specialist", "Paralegal",
         "Office Manager", "DevOps Engineer", "Sales Director", "Recruiter", "Pharmacist", "Staff Accountant"]
_PRODUCTS = ["wireless mouse", "USB-C hub", "annual subscription", "ergonomic chair", "27-inch monitor",
             "consulting hours", "support plan", "laptop stand", "toner cartridge", "standing desk", "cloud storage 1 TB",
             "onboarding workshop", "license renewal", "noise-cancelling headset", "printer paper (box)"]


# --------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------

TRAIN_TEMPLATE_IDS: frozenset[str] = frozenset(t.id for t in T.TEMPLATES if t.split == "train")
HELDOUT_TEMPLATE_IDS: frozenset[str] = frozenset(t.id for t in T.TEMPLATES if t.split == "heldout")
TRAIN_GENRES: frozenset[str] = frozenset(t.genre for t in T.TEMPLATES if t.split == "train")
HELDOUT_GENRES: frozenset[str] = frozenset(t.genre for t in T.TEMPLATES if t.split == "heldout")
HELDOUT_ONLY_GENRES: frozenset[str] = HELDOUT_GENRES - TRAIN_GENRES

NEGATIVE_RATE = 0.14
LONG_RATE = 0.10


def _pools(split: str):
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    pii: dict[str, list] = {}
    neg: list = []
    for t in T.TEMPLATES:
        if t.split != split:
            continue
        (neg if t.kind == "neg" else pii.setdefault(t.genre, [])).append(t)
    genres = sorted(pii)
    gw = [T.GENRE_WEIGHTS.get(g, 1.0) for g in genres]
    return pii, genres, gw, neg


def _run(t, d: Doc, c: Ctx) -> None:
    if callable(t.body):
        t.body(d, c)
    else:
        render(compiled(t.body), d, c)


def _one(rng: random.Random, pii, genres, gw, neg) -> tuple[str, Doc]:
    c = Ctx(rng)
    d = Doc()
    if rng.random() < NEGATIVE_RATE:
        t = rng.choice(neg)
        _run(t, d, c)
        return t.genre, d
    genre = rng.choices(genres, gw)[0]
    pool = pii[genre]
    t = rng.choices(pool, [x.weight for x in pool])[0]
    if rng.random() < LONG_RATE:
        c.long = True
        target = rng.randint(400, 1500)
        sep = T.GENRE_SEP.get(genre, "\n\n")
        _run(t, d, c)
        while d.words() < target:
            render(compiled(sep), d, c)
            t = rng.choices(pool, [x.weight for x in pool])[0]
            _run(t, d, c)
    else:
        _run(t, d, c)
    return genre, d


# Blocks whose every line starts with a marker: a quoted reply ("> "), a bullet list, a table's edge,
# a comment or template markup ("# ", "// ", "}}"), or bullets that a wrong encoding turned into "?"
# or "â€¢". The entities inside stay entities.
PREFIX_RATE = 0.07
LINE_PREFIXES = ["> ", "> ", ">> ", ">", "• ", "- ", "* ", "| ", "|", "?? ", "??? ", "â€¢ ", "· ", "» ",
                 "# ", "// ", "}} ", "}}", ": ", "+ "]


def prefix_lines(text: str, spans: list[dict], prefix: str) -> tuple[str, list[dict]]:
    """``text`` with ``prefix`` at the start of every line, and ``spans`` moved with their characters
    (a multi-line address keeps the inner prefixes inside its span)."""
    if "\n" not in text:
        return text, spans
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]

    def moved(offset: int) -> int:  # one prefix for the first line and one per break before offset
        return offset + len(prefix) * (1 + bisect.bisect_left(breaks, offset))

    out = prefix + text.replace("\n", "\n" + prefix)
    return out, [{**s, "start": moved(s["start"]), "end": moved(s["end"])} for s in spans]


def generate(n: int, seed: int, split: str) -> Iterator[dict]:
    """Yield ``n`` documents for ``split`` ("train" or "heldout"), deterministically from ``seed``."""
    pools = _pools(split)
    master = random.Random(f"pii-generator:{seed}:{split}")
    for i in range(n):
        rng = random.Random(master.getrandbits(64))
        genre, d = _one(rng, *pools)
        text, spans = d.finish(rng)
        if split == "train" and rng.random() < PREFIX_RATE:
            text, spans = prefix_lines(text, spans, rng.choice(LINE_PREFIXES))
        yield {"id": f"{split}-{seed}-{i:06d}", "text": text, "genre": genre, "spans": spans}


def write_jsonl(path, n: int, seed: int, split: str) -> int:
    """``generate(n, seed, split)`` into a JSONL file (``.gz`` compresses); returns the count."""
    return jsonl.write_jsonl(path, generate(n, seed, split))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scanner.train.generator", description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split", choices=["train", "heldout"], default="train")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    k = write_jsonl(a.output, a.n, a.seed, a.split)
    print(f"wrote {k} documents to {a.output} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
