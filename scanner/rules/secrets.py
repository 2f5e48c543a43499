"""Credentials: cloud and SaaS key formats, JWTs, private-key blocks, and ``password=``-style assignments.

Key formats with a fixed prefix (AKIA..., AIza..., ghp_..., xoxb-..., sk_live_...) are certain: score 1.0.
Values found only through their context (an assignment's key name, "Bearer", an AWS secret next to its
variable name) score 0.95. For assignments only the VALUE is reported, labelled PASSWORD when the key
names a password and SECRET otherwise; placeholders (``changeme``, ``***``, ``<password>``, ``${VAR}``,
``os.environ[...]``, empty, ...) are skipped, since flagging them would bury real findings in noise.

Every pattern is guarded by a substring test so the common text without any credential costs a few
``in`` scans; the assignment finder looks for key words first and parses only around each hit.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from scanner.records import Span
from scanner.rules.base import drop_contained

# --- fixed-format keys: (trigger substrings, pattern) -> SECRET 1.0 -----------------------------------
# Each pattern starts with a literal character and checks the character before it with a lookbehind
# placed after that first character: the regex engine then skips quickly to candidate positions.
_AWS_KEY_ID = re.compile(r"A(?<![A-Za-z0-9]A)(?:KIA|SIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_GCP_API_KEY = re.compile(r"A(?<![\w\-]A)Iza[0-9A-Za-z_\-]{35}(?![\w\-])")
_GITHUB = re.compile(
    r"g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{36,255}|ithub_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])"
)
_SLACK = re.compile(r"x(?<![\w\-]x)ox[abpr]-[A-Za-z0-9\-]{10,250}(?![\w\-])")
_STRIPE = re.compile(r"[srp](?<!\w[srp])k_live_[0-9A-Za-z]{10,247}(?!\w)")
_FIXED: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (("AKIA", "ASIA"), _AWS_KEY_ID),
    (("AIza",), _GCP_API_KEY),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), _GITHUB),
    (("xoxa-", "xoxb-", "xoxp-", "xoxr-"), _SLACK),
    (("k_live_",), _STRIPE),
)

# --- JWT: header must decode to a JSON object with "alg" ------------------------------------------
_JWT = re.compile(r"e(?<![\w\-.]e)(yJ[A-Za-z0-9_\-]{8,})\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]{8,}(?![\w\-]|\.\w)")

# --- PEM private keys: the whole block, BEGIN to END; a truncated block up to its last base64 line --
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----")
_PEM_BODY = re.compile(r"(?:(?:\r?\n|\\n)(?!-----)[A-Za-z0-9+/=:\-, ]{1,100})+")
_PEM_MAX = 20000  # an 8192-bit RSA key is ~6.5 KB; stop looking for END after this
_GCP_PRIVATE_KEY = re.compile(r'"private_key"\s*:\s*"(-----BEGIN[^"]{1,20000})"')

# --- context-only secrets (0.95) -------------------------------------------------------------------
_AWS_SECRET = re.compile(
    r"(?i)aws.{0,20}?secret.{0,20}?(?:key)?[\"']?\s*(?:=>|:=|=|:)\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)
_BEARER = re.compile(r"bearer\s+|authorization:\s*basic\s+")  # searched in the lower-cased text
_BEARER_I = re.compile(_BEARER.pattern, re.IGNORECASE)
_BEARER_TOKEN = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9\-._~+/]{16,}=*(?![\w\-.~+/=])")

# --- key = value assignments ------------------------------------------------------------------------
_KEYWORDS = r"pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credential|auth"
# Run on text.lower(): case-sensitive literals scan several times faster than (?i) (benchmarks/README.md,
# "Measurements behind code defaults").
_KEYWORD = re.compile(_KEYWORDS)
_KEYWORD_I = re.compile(_KEYWORDS, re.IGNORECASE)  # when lower() changes the length (rare scripts)
_KEY_CHAR = re.compile(r"[\w.\-]")
_KEY_TAIL = re.compile(r"[\w.\-]*")
_SEGMENTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ASSIGN = re.compile(
    r"[\"']?[ \t]*(?:=>|:=|=(?!=)|:(?!:)(?:[ \t]*[A-Za-z_][\w.\[\], |]{0,40}?[ \t]*=(?!=))?)[ \t]*"
)
_VALUE = re.compile(
    r"\"(?P<dq>(?:[^\"\\\n]|\\.){0,8000})\"|'(?P<sq>(?:[^'\\\n]|\\.){0,8000})'|`(?P<bq>[^`\n]{0,1000})`"
    r"|(?P<bare>[^\s\"'`,;&<>(){}\[\]]{1,500})"
)
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_RANDOM_PART = re.compile(r"(?=\w*\d)(?=\w*[A-Za-z])\w{6,}")
_DIGIT_OR_SYMBOL = re.compile(r"[\d!@#$%^&*+=?~/\\|-]")
# A secret (token, API key) is random: 8+ characters, no spaces, letters and digits both.
_SECRET_VALUE = re.compile(r"(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[^\s]{8,}")
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "passcode"})  # and "pass" as last word
SECRET_WORDS = frozenset({"secret", "token", "apikey", "credential", "credentials", "auth", "privatekey",
                          "accesskey"})  # fmt: skip
_KEY_PAIRS = frozenset({
    ("api", "key"), ("access", "key"), ("private", "key"), ("auth", "key"), ("signing", "key"),
    ("encryption", "key"), ("master", "key"), ("client", "secret"), ("auth", "token"),
})  # fmt: skip
# A key ending in one of these names a property of the secret, not the secret itself.
_NOT_A_VALUE = frozenset({
    "url", "uri", "endpoint", "type", "length", "len", "min", "max", "count", "limit", "expiry", "expires",
    "expiration", "ttl", "lifetime", "file", "path", "dir", "name", "id", "ids", "policy", "field", "header",
    "prefix", "hint", "prompt", "label", "regex", "pattern", "enabled", "enable", "required", "hash", "format",
    "mode", "strength", "timeout", "size", "version", "env", "var", "method", "scheme", "provider", "user",
    "username", "login", "host", "server", "domain", "message", "msg", "text", "title", "error", "reset",
    "rotation", "store", "manager", "validator", "validation", "input", "form", "button", "placeholder",
})  # fmt: skip

# --- placeholders -------------------------------------------------------------------------------------
_PLACEHOLDER_WORDS = frozenset({
    "changeme", "change_me", "change-me", "changeit", "password", "passwd", "pass", "pwd", "secret", "token",
    "apikey", "api_key", "api-key", "redacted", "removed", "hidden", "masked", "censored", "none", "null",
    "nil", "undefined", "empty", "example", "sample", "dummy", "placeholder", "todo", "tbd", "fixme", "str",
    "string", "int", "bool", "bytes", "true", "false", "yes", "no", "required", "optional", "default",
    "secretstr", "unknown", "n/a", "notset", "not_set", "not-set", "foobar", "foo", "bar", "xxx", "abc",
    "test", "secret_key", "secretkey", "mysecret", "mypassword", "password123",
})  # fmt: skip
_PLACEHOLDER = re.compile(
    r"(?i)<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|[$%][({]?[\w.:\-]+[)}]?%?s?"
    r"|(?:your|my|the|some|enter|insert|example|dummy|fake|sample)[_\- ]?(?:[a-z]+[_\- ]?)?"
    r"(?:password|passwd|pass|pwd|secret|token|api[_\- ]?key|key)(?:[_\- ]?here)?(?:[_\- ]?\d{1,2})?"
    r"|[*xX•·#?.\-_ ]+"
)
_TEMPLATE_MARKS = ("${", "{{", "$(", "%(", "...", "…")  # interpolation or elision anywhere in the value
_CODE_PREFIXES = ("os.environ", "os.getenv", "getenv", "process.env", "env(", "ENV[", "System.getenv", "settings.",
                  "config.")  # fmt: skip


def is_placeholder(value: str) -> bool:
    """True for values that stand in for a credential rather than being one."""
    v = value.strip()
    return (
        len(v) < 3
        or len(set(v)) == 1
        or v.lower() in _PLACEHOLDER_WORDS
        or any(mark in v for mark in _TEMPLATE_MARKS)
        or v.startswith(_CODE_PREFIXES)
        or _PLACEHOLDER.fullmatch(v) is not None
    )


def _jwt_header_ok(segment: str) -> bool:
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and "alg" in header


def classify_key(key: str) -> str | None:
    """'PASSWORD' / 'SECRET' for a key that names a credential, None otherwise (``password_min_length``)."""
    segs = [s.lower() for s in _SEGMENTS.findall(key)]
    if not segs or segs[-1] in _NOT_A_VALUE:
        return None
    if segs[-1] == "pass" or any(s in PASSWORD_WORDS for s in segs):  # DB_PASS, but not pass_dict
        return "PASSWORD"
    if any(s in SECRET_WORDS for s in segs) or any(p in _KEY_PAIRS for p in zip(segs, segs[1:])):
        return "SECRET"
    return None


class SecretsDetector:
    """Known key formats, JWTs, PEM private keys and credential assignments."""

    name = "secret"
    labels = frozenset({"SECRET", "PASSWORD"})

    def find(self, text: str) -> list[Span]:
        out: list[Span] = []
        add = out.append
        for triggers, pattern in _FIXED:
            if any(t in text for t in triggers):
                for m in pattern.finditer(text):
                    add(Span(m.start(), m.end(), "SECRET", 1.0, self.name))
        if "eyJ" in text:
            for m in _JWT.finditer(text):
                if _jwt_header_ok("e" + m.group(1)):
                    add(Span(m.start(), m.end(), "SECRET", 1.0, self.name))
        if "PRIVATE KEY" in text:
            self._pem(text, out)
        low_hint = "ecret" in text or "ECRET" in text
        if low_hint and ("aws" in text or "AWS" in text):
            for m in _AWS_SECRET.finditer(text):
                add(Span(m.start(1), m.end(1), "SECRET", 0.95, self.name))
        low = text.lower()
        same = len(low) == len(text)  # lower() keeps offsets for nearly all text; else use (?i) patterns
        if "bearer" in low or "basic" in low:
            for m in _BEARER.finditer(low) if same else _BEARER_I.finditer(text):
                if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
                    continue
                t = _BEARER_TOKEN.match(text, m.end())
                if t is not None:
                    add(Span(t.start(), t.end(), "SECRET", 0.95, self.name))
        self._assignments(text, low if same else None, out)
        return drop_contained(out) if len(out) > 1 else out

    def _pem(self, text: str, out: list[Span]) -> None:
        begins = list(_PEM_BEGIN.finditer(text))
        for k, m in enumerate(begins):
            # Look for the END only up to the next BEGIN, so many unterminated headers stay linear.
            limit = min(m.end() + _PEM_MAX, begins[k + 1].start() if k + 1 < len(begins) else len(text))
            end_marker = f"-----END {m.group(1)}-----"
            j = text.find(end_marker, m.end(), limit)
            if j >= 0:
                end = j + len(end_marker)
            else:
                body = _PEM_BODY.match(text, m.end())
                if body is None:
                    continue
                end = body.end()
            out.append(Span(m.start(), end, "SECRET", 1.0, self.name))
        if '"private_key"' in text:
            for m in _GCP_PRIVATE_KEY.finditer(text):
                out.append(Span(m.start(1), m.end(1), "SECRET", 1.0, self.name))

    def _assignments(self, text: str, low: str | None, out: list[Span]) -> None:
        token_end = -1
        hits = _KEYWORD.finditer(low) if low is not None else _KEYWORD_I.finditer(text)
        for hit in hits:
            if hit.start() < token_end:
                continue  # another key word inside a key already handled
            tail = _KEY_TAIL.match(text, hit.end())
            key_end = token_end = tail.end() if tail else hit.end()
            op = _ASSIGN.match(text, key_end)  # cheapest test first: most key words are prose
            if op is None:
                continue
            start = hit.start()
            floor = max(0, start - 64)
            while start > floor and _KEY_CHAR.match(text, start - 1):
                start -= 1
            key = text[start:key_end].strip(".-")
            label = classify_key(key)
            if label is None:
                continue
            v = _VALUE.match(text, op.end())
            if v is None:
                continue
            token_end = max(token_end, v.end())  # key words inside the value are not keys
            group = v.lastgroup or "bare"
            value = v.group(group)
            if group == "bare" and not _bare_value_ok(value, label, text[v.end() : v.end() + 1]):
                continue
            if label == "SECRET" and not _SECRET_VALUE.fullmatch(value):
                continue
            if is_placeholder(value) or value.lower() == key.lower():
                continue
            out.append(Span(v.start(group), v.end(group), label, 0.95, self.name))


def _bare_value_ok(value: str, label: str, next_char: str) -> bool:
    """An unquoted value: in code it is usually an expression, so only credential-shaped ones count.

    Rejected: calls/indexes/attributes (``getpass()``, ``cfg.password``), comments, identifiers and
    words (``password = context``, ``token: Tensor``, ``USE_DEFAULT``; a letters-only password written
    bare cannot be told from a variable), bare numbers (JSON ids like ``"token": 16318``), ``meth:``.
    A password needs a digit or a symbol (``hunter2``, ``S3cr3t!``).
    """
    if next_char in ("(", "[") or value.startswith(("#", "//")) or value.endswith(":"):
        return False
    if _DOTTED_NAME.fullmatch(value) or value.isdigit() or value.isalpha():
        return False
    if _IDENTIFIER.fullmatch(value) and "_" in value:
        if not any(_RANDOM_PART.fullmatch(p) for p in value.split("_")):
            return False  # a snake_case name; "tok_9f8e7d6c" has a random-looking part and stays
    return label == "SECRET" or _DIGIT_OR_SYMBOL.search(value) is not None

