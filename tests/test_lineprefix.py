"""The model's view of a text: blocks of marked lines lose their markers, and nothing else changes."""

from __future__ import annotations

import pytest

from scanner.lineprefix import model_view


@pytest.mark.parametrize(("text", "view"), [
    # a quoted reply, nested quotes included
    ("> Hi Ann,\n> > see below\n> Bob", "  Hi Ann,\n    see below\n  Bob"),
    # bullets, mojibake bullets, template markup with and without a space
    ("- one\n- two\nplain", "  one\n  two\nplain"),
    ("??? Apt. 876\n??? PALMYRA", "    Apt. 876\n    PALMYRA"),
    ("â€¢ one\nâ€¢ two", "    one\n    two"),
    ("}} \n}} Helena Gregorová\n}}Suite 504", "   \n   Helena Gregorová\n  Suite 504"),
    # Windows line ends stay
    ("a\r\n> b\r\n> c", "a\r\n  b\r\n  c"),
])
def test_markers_of_a_block_become_spaces(text: str, view: str) -> None:
    assert model_view(text) == view


@pytest.mark.parametrize("text", [
    "> one quoted line\nthen prose",  # one line: as often an arrow as a quote
    "+------+\n| a    |\n+------+",  # a border is no marker, and one row is no block
    "Title\n=====\n\nText",  # a reST underline
    "--verbose  Print more\n--quiet  Print less",  # options, not bullets
    "-> step one\n=> step two",
    "plain text without markers",
])
def test_text_without_a_marked_block_is_unchanged(text: str) -> None:
    assert model_view(text) == text


def test_the_view_keeps_every_offset() -> None:
    text = "x\n> Ann Lee\n> 12 Rue Vert\n> 69001 Lyon\n\n* a\n* b\n"
    view = model_view(text)
    assert len(view) == len(text)
    # only the markers changed (their spaces were spaces already)
    assert [i for i, (a, b) in enumerate(zip(text, view)) if a != b] == [2, 12, 26, 40, 44]


@pytest.mark.slow
def test_an_address_behind_quote_markers_is_one_span_covering_its_markers() -> None:
    """The real model on a quoted signature: the address block is found whole, its inner markers
    inside the span (what redaction needs), and the name and phone too."""
    text = ("Thanks, see you then.\n\n"
            "> Maria Kowalczyk\n> 14 Harrow Lane\n> Apt. 3\n> Leeds LS6 2QT\n> United Kingdom\n> +44 113 496 0102\n")
    from scanner import Scanner

    spans = Scanner(backend="torch", device="cpu").scan_text(text).spans
    found = {(s.label, text[s.start:s.end]) for s in spans}
    assert ("PERSON", "Maria Kowalczyk") in found
    addr = [text[s.start:s.end] for s in spans if s.label == "STREET_ADDRESS"]
    assert len(addr) == 1 and addr[0].startswith("14 Harrow Lane\n> Apt. 3\n> Leeds LS6 2QT"), addr
    assert any(s.label == "PHONE" for s in spans)
