"""IBANs: country code, per-country length (SWIFT IBAN registry), and the ISO 7064 mod-97 check.

Accepted compact (``DE89370400440532013000``) or printed in groups of four separated by single spaces.
A grouped match may run into a following word of four capitals/digits; the country's length says
where the IBAN ends, so the match is cut back to it when the cut falls between groups.
"""

from __future__ import annotations

import re

from scanner.records import Span

# ISO 3166 country -> total IBAN length (SWIFT IBAN registry, full members).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

_PATTERN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)")
_TRIGGER = re.compile(r"[A-Z]{2}\d{2}")


def iban_ok(compact: str) -> bool:
    """Known country, right length, and mod-97 == 1 on the rearranged number."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


class IbanDetector:
    """Compact or space-grouped IBANs with a valid check."""

    name = "iban"
    labels = frozenset({"BANK_ACCOUNT"})

    def find(self, text: str) -> list[Span]:
        if _TRIGGER.search(text) is None:
            return []
        out: list[Span] = []
        for m in _PATTERN.finditer(text):
            raw = m.group()
            want = IBAN_LENGTHS.get(raw[:2])
            if want is None:
                continue
            # Walk the raw text until `want` alphanumerics are seen; cut there if it is a group edge.
            seen = 0
            end = len(raw)
            for i, ch in enumerate(raw):
                if ch != " ":
                    seen += 1
                    if seen == want:
                        end = i + 1
                        break
            if seen < want or (end < len(raw) and raw[end] != " "):
                continue
            if iban_ok(raw[:end].replace(" ", "")):
                out.append(Span(m.start(), m.start() + end, "BANK_ACCOUNT", 1.0, self.name))
        return out
