"""The name right before an e-mail address is a PERSON, in any language."""

from __future__ import annotations

import pytest

from scanner.rules.named_email import NamedEmailDetector


def names(text: str) -> list[str]:
    return [text[s.start:s.end] for s in NamedEmailDetector().find(text)]


@pytest.mark.parametrize("text, expected", [
    (" -- Maria Jansen <maria.jansen@example.org>  Mon, 02 Mar 2026 10:00:00 +0100", ["Maria Jansen"]),
    ("From: Hans Schmidt <hans.schmidt@beispiel.de>", ["Hans Schmidt"]),
    ("Pod::Simple was created by Sean M. Burke <sburke@cpan.org>.", ["Sean M. Burke"]),
    ("Traduzione di Bortolozzo Giovanni (borto@pluto.linux.it)", ["Bortolozzo Giovanni"]),
    ("gemaakt door Frans Spiesschaert\n       <frans@yucom.be>, in", ["Frans Spiesschaert"]),
    ('"author": "Barney Rubble <barney@npmjs.com> (http://b.example)"', ["Barney Rubble"]),
    ("Ludwig van Beethoven <lvb@example.de>", ["Ludwig van Beethoven"]),
    ("Contact Jane Roe <jane@example.org> today", ["Jane Roe"]),
])
def test_names_before_addresses(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "Support Team <help@example.org>",
    "write to Customer Service (cs@example.com)",
    "Mail jane@example.com or JANE DOE <jane@example.com>",
    "AUTHOR\n       <pere@hungry.com>",
    "see J. K. <jk@example.org>",
])
def test_no_person_without_a_name(text):
    assert names(text) == []


def test_in_a_document_the_model_skips_the_name_is_still_found(scanner):
    from scanner.records import Document

    text = ("Sehr geehrte Damen und Herren,\n\nbitte senden Sie die Unterlagen bis Freitag zurück.\n\n"
            "Mit freundlichen Grüßen\nHans Schmidt <hans.schmidt@beispiel-firma.de>\n")
    (res,) = scanner.scan_shard([Document("de", "t", text)])
    assert res.model_used is False
    assert [(text[s.start:s.end], s.label, s.detector) for s in res.spans] == [
        ("Hans Schmidt", "PERSON", "named_email"), ("hans.schmidt@beispiel-firma.de", "EMAIL", "email")]
