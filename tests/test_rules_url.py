from __future__ import annotations

import pytest

from scanner.rules.url import UrlDetector

DET = UrlDetector()


def found(text: str) -> list[tuple[str, str]]:
    spans = DET.find(text)
    assert all(s.detector == "url" and s.score == 1.0 for s in spans)
    return [(text[s.start : s.end], s.label) for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://example.com/a?b=c.", [("https://example.com/a?b=c", "URL")]),
        ("(see http://x.org/wiki/Foo_(bar))", [("http://x.org/wiki/Foo_(bar)", "URL")]),
        ("(www.example.com)", [("www.example.com", "URL")]),
        ("ftp://anonymous@ftp.x.org/pub", [("ftp://anonymous@ftp.x.org/pub", "URL")]),
        (
            "https://www.example.com/x and WWW.EXAMPLE.ORG",
            [("https://www.example.com/x", "URL"), ("WWW.EXAMPLE.ORG", "URL")],
        ),
        ("Ü https://münchen.de/straße!", [("https://münchen.de/straße", "URL")]),
    ],
)
def test_urls(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("db: postgres://app:S3cret@db.internal:5432/prod", "postgres://app:S3cret@db.internal:5432/prod"),
        ("https://bob:hunter2@example.com/x", "https://bob:hunter2@example.com/x"),
        ("redis://:p4ssw0rd@cache:6379/0", "redis://:p4ssw0rd@cache:6379/0"),
    ],
)
def test_credentials_make_the_whole_url_a_secret(text: str, expected: str) -> None:
    assert found(text) == [(expected, "SECRET")]


@pytest.mark.parametrize(
    "text",
    ["https://user:${DB_PASS}@host/x", "https://user:***@host/x", "https://user:changeme@host/x"],
)
def test_placeholder_password_is_an_ordinary_url(text: str) -> None:
    assert found(text) == [(text, "URL")]


@pytest.mark.parametrize(
    "text", ["www.x", "mailto:a@b.com", "file:///etc/passwd", "ftp://", "xhttps://a.b", "bob@www.example.com"]
)
def test_not_urls(text: str) -> None:
    assert found(text) == []


def test_offsets_after_non_ascii() -> None:
    text = "日本語のテキスト 🌐 https://例え.jp/パス です"
    assert found(text) == [("https://例え.jp/パス", "URL")]
