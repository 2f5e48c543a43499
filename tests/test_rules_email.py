from __future__ import annotations

import pytest

from scanner.rules.email import EmailDetector

DET = EmailDetector()


def found(text: str) -> list[str]:
    spans = DET.find(text)
    assert all(s.label == "EMAIL" and s.detector == "email" and s.score == 1.0 for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to john.smith@example.com.", ["john.smith@example.com"]),
        ("first_last+tag@sub-domain.example.io", ["first_last+tag@sub-domain.example.io"]),
        ("<j@x.com.au>, k@y.org;", ["j@x.com.au", "k@y.org"]),
        ("Ünïcödé 😀 café: josé@exämple.de!", ["josé@exämple.de"]),
        ("...john@x.org", ["john@x.org"]),
        ("a..b@x.com", ["b@x.com"]),
        # POD escapes the angle brackets: the address ends before "E<gt>".
        ("Richard Clamp E<lt>richardc@unixbeard.netE<gt>", ["richardc@unixbeard.net"]),
        ("Write to ANNE@EXAMPLE.COME today", ["ANNE@EXAMPLE.COME"]),
    ],
)
def test_valid(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["a@b", "x@@y.com", "user@host.c0m", "@twitter handle", "user@10.0.0.1", "no at sign here", "x" * 65 + "@x.com"],
)
def test_invalid(text: str) -> None:
    assert found(text) == []


def test_offsets_after_non_ascii() -> None:
    text = "名前：山田太郎\nメール: taro.yamada@example.jp です"
    [span] = DET.find(text)
    assert text[span.start : span.end] == "taro.yamada@example.jp"


@pytest.mark.parametrize("text", [
    "git clone git@github.com:pypa/pip.git",
    "pip install git+ssh://git@github.com/org/repo.git",
    "remote: deploy@build.example.org:/srv/app",
])
def test_ssh_remotes_are_not_addresses(text):
    assert EmailDetector().find(text) == []


def test_an_address_before_a_colon_and_space_is_still_one():
    text = "Write to jane.roe@example.org: she answers within a day."
    assert [text[s.start:s.end] for s in EmailDetector().find(text)] == ["jane.roe@example.org"]
