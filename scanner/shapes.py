"""Can this text be a value of that label at all? A cheap check on the model's findings.

The model reads context, not form, so on text unlike its training data it tags a reST underline as
SECRET, ``::`` as IP_ADDRESS or a lone parenthesis as PHONE. Structured labels have a form that the
value must have whatever the context: an IP address parses, a phone number has digits, a key has no
spaces and is not one character repeated. ``plausible`` says no only when the form is impossible,
so it never costs a finding the model got right on the held-out set; pattern detectors validate their
own findings and are not checked here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from scanner.rules.base import STREET_KIND, standard_number
from scanner.rules.email import remote_login

_ALNUM = re.compile(r"[^\W_]")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.(?:[^\W\d_]{2,}|xn--[\w-]+)")  # a TLD is letters: not lodash@4.17.21
_USERNAME = re.compile(r"@?[\w][\w.+-]*[\w]|@?\w{2,}")
_NUMBER_WORDS = re.compile(
    r"(?i)(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a hundred|one hundred)")
_IPV6_PREFIX = re.compile(r"(?i)(?=.*[0-9a-f]{4})[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){1,6}")
_IBAN_LIKE = re.compile(r"(?i)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{2,4}){3,}")
_ID_LETTERS = re.compile(r"(?i)[A-Z0-9]{6,12}")
_IP_AROUND = re.compile(r"^\[?(.*?)\]?(?::\d{1,5})?(?:/\d{1,3})?$")
# What follows a person's name when the name is part of something named after them: an institution's
# or a place's head noun ("the Okonjo Foundation", "Ifeoma Memorial Hospital", "Laver Arena": at most
# two capitalised words between), or an eponym's technical head ("Hoeffding's lemma", "the
# Kaplan-Meier estimator", "Crohn's disease"), a company's legal or group name ("Estée Lauder
# Companies"), or a method's head after two names or a test's letter ("Mann–Whitney U test"). Only
# nouns that never follow a person's name itself: not "law" ("Smith's law firm"), "number" or
# "model" ("call Maria's number"), and "test" only without a possessive ("Maria's test").
_NAMED_AFTER = re.compile(
    r"(?:(?:[ \t]+[A-Z][\w'’.-]*){0,2}[ \t]+(?:Foundation|Institute|Institution|University|College|"
    r"Academy|Hospital|Infirmary|Clinic|Museum|Gallery|Library|Trust|Prize|Award|Medal|Lecture|Trophy|"
    r"Scholarship|Airport|Stadium|Arena|Bridge|Avenue|Boulevard|Street|Square|Memorial|Highway|Dam|"
    r"Canal)\b"
    # a company's legal or group name: "Estée Lauder Companies", "Anders Holm Group plc"
    r"|[ \t]+(?:Companies|Company|Group|Holdings|Inc\b|Corp\b|Corporation|Ltd\b|LLC|plc|PLC|GmbH|AG)"
    r"|(?:'s|’s|'|’)?[ \t]+(?:theorem|lemma|conjecture|inequality|equation|paradox|criterion|estimator|"
    r"algorithm|transform|distribution|optimi[sz]er|disease|syndrome)\b"
    # a method named after two people, or one before a test's letter: "Mann–Whitney U test",
    # "Michaelis–Menten fit", "Newton-Raphson iteration" (no possessive: "Maria's test" is hers)
    r"|(?:[-–][A-Z][\w'’.-]*)*(?:[ \t]+[A-Z])?[ \t]+(?:test|fit|correction|iteration|kinetics|ratio|"
    r"coefficient|statistic|index|method|estimator|polynomials?|integral|kernel|filter)\b)")


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _is_ip(s: str) -> bool:
    """An address ipaddress parses (with brackets, port or prefix length), or an IPv6 prefix as
    logs print them (``2600:1447``, ``2a02:4c7e:68e9``)."""
    if _IPV6_PREFIX.fullmatch(s):
        return True
    m = _IP_AROUND.match(s.strip())
    for cand in (s.strip(), m.group(1) if m else ""):
        try:
            ipaddress.ip_address(cand)
            return True
        except ValueError:
            continue
    return False


def _one_char_run(s: str) -> bool:
    """Mostly one repeated character (``+------+``, ``^^^^``, ``=====``)."""
    return bool(s) and max(s.count(c) for c in set(s)) > 0.6 * len(s)


def _secret(s: str) -> bool:
    if "-----BEGIN" in s:
        return True
    return (len(s) >= 12 and not any(c.isspace() for c in s) and not _one_char_run(s)
            and len(_ALNUM.findall(s)) >= 8 and not s.isalpha() or s.isalpha() and len(s) >= 16
            and not s.islower())


def _password(s: str) -> bool:
    return (len(s) >= 4 and not any(c.isspace() for c in s) and not _one_char_run(s)
            and len(_ALNUM.findall(s)) >= 3)


def _street_address(s: str) -> bool:
    """A house number or postcode, a named place in capitals ("Residencial Castro"), or a street's
    kind ("boulevard de chrétien")."""
    words = s.split()
    if len(words) < 2 or not re.search(r"[^\W\d_]{3,}", s):
        return False
    return (_digits(s) >= 1 or all(w[0].isupper() for w in words if w[0].isalpha())
            or STREET_KIND.search(s) is not None)


# Honorifics, ranks and roles written before a name: a PERSON span of nothing else holds no name
# ("the Princess Royal", "His Majesty"). Not those that are also names: Maj (Sjöwall), Gen (Hoshino),
# Lord, Hon, King, Prince, Duke.
_TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame rev revd fr sr br sister brother cllr insp supt sgt det pc "
    "capt col lt cpl rt st herr frau mme mlle sra srta dott "
    "princess royal duchess countess baroness viscount viscountess marquess highness majesty excellency "
    "hrh his her".split())

# Words that name a kind of place, never one place: a LOCATION span of only these, capitalised at
# most at its start, is "the country", "the north side", "around the world".
_GENERIC_PLACE = frozenset(
    "the a an this that of in around all over across whole entire country countries world nation city "
    "town village region area state north south east west northern southern eastern western side part "
    "downtown uptown abroad overseas countryside capital coast inland neighbourhood neighborhood".split())


def _location(s: str) -> bool:
    words = s.split()
    return not all(w.lower().strip(".,") in _GENERIC_PLACE and (k == 0 or not w[0].isupper())
                   for k, w in enumerate(words))


def _person(s: str) -> bool:
    """More than titles, and more than one Latin letter (an initial alone names no one: "C" of
    "C'mon"; a Chinese given name can be one character)."""
    return (not all(w.lower().rstrip(".") in _TITLES for w in s.split())
            and re.fullmatch(r"[A-Za-z]\.?", s) is None)


CHECKS: dict[str, Callable[[str], bool]] = {
    "PERSON": _person,
    "LOCATION": _location,
    "EMAIL": lambda s: _EMAIL.fullmatch(s) is not None,
    "IP_ADDRESS": _is_ip,
    "PHONE": lambda s: _digits(s) >= 6 and _digits(s) >= 0.5 * len(re.sub(r"\s", "", s)),
    "CREDIT_CARD": lambda s: _digits(s) >= 12,
    "BANK_ACCOUNT": lambda s: _digits(s) >= 6 or _IBAN_LIKE.fullmatch(s) is not None,
    "ID_NUMBER": lambda s: not any(c in s for c in "()[]{}=:;,") and (
        _digits(s) >= 2 or _ID_LETTERS.fullmatch(s) is not None),
    "AGE": lambda s: re.fullmatch(r"\d{1,3}(?:[.,]5)?", s) is not None or _NUMBER_WORDS.fullmatch(s) is not None,
    "USERNAME": lambda s: len(s) >= 3 and _USERNAME.fullmatch(s) is not None and any(c.isalpha() for c in s),
    "PASSWORD": _password,
    "SECRET": _secret,
    "STREET_ADDRESS": _street_address,
    "URL": lambda s: "." in s or "://" in s,
}


def plausible(label: str, value: str) -> bool:
    """False when ``value`` cannot be a ``label`` whatever its context (see the module doc)."""
    if not _ALNUM.search(value):
        return False
    check = CHECKS.get(label)
    return check is None or check(value)


_STANDARD_LABELS = frozenset({"ID_NUMBER", "PHONE"})


def named_after(text: str, end: int) -> bool:
    """Does a name ending at ``end`` head an institution's, a place's or an eponym's name?"""
    return _NAMED_AFTER.match(text, end) is not None


def plausible_at(label: str, text: str, start: int, end: int) -> bool:
    """``plausible``, plus what the span's surroundings rule out: an e-mail-shaped SSH login
    (``git@github.com:org/repo``) is no mailbox, a number after a standard's name
    (``iso-8859-9``) is no ID or phone, a name at the head of a foundation's, an airport's or a
    theorem's name is no person, an IP address glued to a longer token is none, whoever found them."""
    if not plausible(label, text[start:end]):
        return False
    if label in _STANDARD_LABELS:
        return not standard_number(text, start)
    if label == "PERSON":
        return not named_after(text, end)
    if label == "IP_ADDRESS":
        return not glued(text, start, end)
    return label != "EMAIL" or not remote_login(text, start, end)


def glued(text: str, start: int, end: int) -> bool:
    """Does a span touch an ASCII letter or digit on either side? Then it is a piece of a longer token
    (``EC2::`` of ``AWS::EC2::Instance`` parses as IPv6), not an address written on its own."""
    def word(c: str) -> bool:
        return c.isascii() and c.isalnum()

    return (start > 0 and word(text[start - 1])) or (end < len(text) and word(text[end]))
