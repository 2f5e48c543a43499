"""Attribution: credits in public docs stay spans but make no category; nothing else is excused."""

from __future__ import annotations

import re

import pytest

from scanner.attribution import attribution_ranges
from scanner.config import ConfigError
from scanner.pipeline import Scanner, ScanOptions
from scanner.policy import load_policy
from scanner.records import Document

MAN_PAGE = """MANDB(8)                 Manual pager utils                MANDB(8)

NAME
       mandb - create or update the manual page index caches

DESCRIPTION
       mandb is used to initialise or manually update index database caches.

AUTHOR
       Wilf. (G.Wilford@ee.surrey.ac.uk).
       Fabrizio Polacco (fpolacco@debian.org).
       Colin Watson (cjwatson@debian.org).

TRANSLATION
       Giulio Daprelà <giulio@pluto.it>

BUGS
       https://bugs.example.org/man-db
"""

README = """# fastthing

Fast things for everyone.

```python
import fastthing
fastthing.run()
```

## Authors

- Thandiwe Mokoena <thandiwe@fastthing.example>
- Björn Åkesson (bjorn@fastthing.example)

Copyright (c) 2024 Nguyen Thi Lan <lan@fastthing.example>
"""

CHANGELOG = """fastthing (1.2-1) unstable; urgency=medium

  * New upstream release.

 -- Dmitry Shachnev <mitya57@debian.org>  Mon, 05 Feb 2024 12:00:00 +0300
"""

LETTER = """Dear Ms Mokoena,

thank you for your order. Your case officer is Jane Roe (jane.roe@corp.example, +44 20 7946 0958).

Authors of this letter: customer service.
"""


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(ScanOptions(precision="fp32"))


@pytest.mark.parametrize("text", [MAN_PAGE, README, CHANGELOG], ids=["man", "readme", "changelog"])
def test_credits_are_found_but_public(scanner: Scanner, text: str) -> None:
    res = scanner.scan_shard([Document("d", "t", text)])[0]
    emails = [text[s.start:s.end] for s in res.spans if s.label == "EMAIL"]
    assert emails, "the credited addresses are still spans (redaction must hide them)"
    assert all("@" in e for e in emails)
    assert res.tier == 1, res.reasons


def test_credit_names_beside_addresses_are_persons(scanner: Scanner) -> None:
    res = scanner.scan_shard([Document("d", "t", README)])[0]
    names = {README[s.start:s.end] for s in res.spans if s.label == "PERSON"}
    assert {"Thandiwe Mokoena", "Björn Åkesson"} <= names


def test_a_letter_is_not_a_credit(scanner: Scanner) -> None:
    res = scanner.scan_shard([Document("d", "t", LETTER)])[0]
    assert res.tier == 3
    assert "pii" in res.categories


def test_ranges_cover_sections_and_lines_only() -> None:
    pol = load_policy()
    ranges = attribution_ranges(MAN_PAGE, pol.attribution)
    covered = "".join(MAN_PAGE[a:b] for a, b in ranges)
    assert "cjwatson@debian.org" in covered and "giulio@pluto.it" in covered
    assert "index database caches" not in covered  # DESCRIPTION is not a credit
    assert "bugs.example.org" not in covered  # BUGS ends the translators' section
    changelog = attribution_ranges(CHANGELOG, pol.attribution)
    assert [CHANGELOG[a:b].strip()[:20] for a, b in changelog] == ["-- Dmitry Shachnev <"]


def test_phone_in_a_credit_section_still_counts(scanner: Scanner) -> None:
    text = README.replace("- Björn", "- call +44 20 7946 0958\n- Björn")
    res = scanner.scan_shard([Document("d", "t", text)])[0]
    assert res.tier == 3 and "PHONE" in {r.label for r in res.reasons}


def test_attribution_can_be_switched_off(tmp_path) -> None:
    src = load_policy().path.read_text()
    off = tmp_path / "policy.yaml"
    off.write_text(src.replace("attribution:\n  enabled: true", "attribution:\n  enabled: false"))
    sc = Scanner(ScanOptions(precision="fp32", policy=str(off)))
    assert sc.scan_shard([Document("d", "t", README)])[0].tier == 3


@pytest.mark.parametrize("edit, key", [
    ("labels: [PERSON, EMAIL, URL, ORGANIZATION, USERNAME]", "attribution.labels[0]"),
    ("    - '^[ \\t]*__(?:author", "attribution.lines[6]"),
])
def test_bad_attribution_config_names_the_key(tmp_path, edit: str, key: str) -> None:
    src = load_policy().path.read_text()
    assert edit in src
    bad = {"labels: [PERSON, EMAIL, URL, ORGANIZATION, USERNAME]": "labels: [NAME]",
           "    - '^[ \\t]*__(?:author": "    - '^[ \\t]*__(?:(author"}[edit]
    path = tmp_path / "policy.yaml"
    path.write_text(src.replace(edit, bad))
    with pytest.raises(ConfigError, match=re.escape(f"policy.yaml: '{key}'")):
        load_policy(path)


def test_a_yaml_author_list_is_a_credit() -> None:
    text = "name: Foo-Bar\nversion: 0.20\nauthor:\n  - Ken Williams <ken@example.org>\n  - Ann Lee <ann@example.org>\nabstract: x\n"
    ranges = attribution_ranges(text, load_policy().attribution)
    covered = "".join(text[a:b] for a, b in ranges)
    assert "ken@example.org" in covered and "ann@example.org" in covered and "abstract" not in covered


@pytest.mark.parametrize("address, role", [
    ("perl5-porters@perl.org", True), ("security@debian.org", True), ("bug-coreutils@gnu.org", True),
    ("info+news@shop.example", True), ("jane.roe@corp.example", False), ("ken@mathforum.org", False),
    # any address at a mailing-list host, whatever its local part
    ("procps@freelists.org", True), ("tp-sv@listor.tp-sv.se", True), ("debian-l10n@lists.debian.org", True),
    ("jane@lists-of-things.example", False), ("ken@glists.example.org", False),
])
def test_role_addresses(address: str, role: bool) -> None:
    from scanner.attribution import role_address

    assert role_address(address, load_policy().attribution) is role


# A translated man page, as Debian ships it (Swedish): the author and bug-report sections are credits.
SV_MAN_PAGE = """SYSCTL.CONF(5)            Filformat               SYSCTL.CONF(5)

NAMN
       sysctl.conf - förinläsnings-/konfigurationsfil för sysctl

BESKRIVNING
       sysctl.conf är en enkel fil som innehåller sysctl-värden.

UPPHOVSMAN
       George Staikos <staikos@0wned.example>

RAPPORTERA FEL
       Skicka felrapporter till <procps@freelists.org>
"""


@pytest.mark.parametrize("heading", ["UPPHOVSMAN", "AUTORE", "AUTOREN", "ZGŁASZANIE BŁĘDÓW", "FEHLER MELDEN",
                                     "SIGNALER DES BOGUES", "RAPPORTERA FEL", "АВТОРЫ"])
def test_translated_credit_headings(heading: str) -> None:
    text = f"NAME\n       tool - does things\n\n{heading}\n       Jane Roe <jane@example.org>\n\nSEE ALSO\n       x(1)\n"
    ranges = attribution_ranges(text, load_policy().attribution)
    covered = "".join(text[a:b] for a, b in ranges)
    assert "jane@example.org" in covered and "x(1)" not in covered


@pytest.mark.parametrize("line", ["Vooral door J. Dassen, geschreven door J. Dassen <jd@example.org>",
                                  "Cette page a été écrite par Jean Roe <jr@example.org>.",
                                  "Größtenteils geschrieben von J. Dassen <jd@example.org>"])
def test_translated_credit_lines(line: str) -> None:
    text = f"Some prose.\n{line}\nMore prose about nothing.\n"
    covered = "".join(text[a:b] for a, b in attribution_ranges(text, load_policy().attribution))
    assert "@example.org" in covered and "More prose" not in covered


def test_translated_man_page_credits_make_no_category() -> None:
    sc = Scanner(ScanOptions(precision="fp32"))
    row = sc.scan_shard([Document("sv", "man", SV_MAN_PAGE)])[0]
    assert row.tier == 1, row.reasons
    assert {SV_MAN_PAGE[s.start:s.end] for s in row.spans if s.label == "EMAIL"} >= {"procps@freelists.org"}
    # the same address in a letter is still a finding that counts
    letter = "Hi Jane,\nplease call me back, my private address is staikos@0wned.example\nBest regards\nGeorge\n"
    assert sc.scan_shard([Document("l", "mail", letter)])[0].tier == 3
