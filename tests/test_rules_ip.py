from __future__ import annotations

import pytest

from scanner.rules.ip import IpDetector

DET = IpDetector()


def found(text: str) -> list[str]:
    spans = DET.find(text)
    assert all(s.label == "IP_ADDRESS" and s.detector == "ip" and s.score == 1.0 for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("host 192.168.1.10.", ["192.168.1.10"]),
        ("10.0.0.1:8080", ["10.0.0.1"]),
        ("net 10.0.0.0/8", ["10.0.0.0"]),
        ("x 2001:db8::8a2e:370:7334 y", ["2001:db8::8a2e:370:7334"]),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]),
        ("fe80::1:2%eth0", ["fe80::1:2"]),
        ("mapped ::ffff:192.0.2.128", ["::ffff:192.0.2.128"]),  # one span, not a v4 inside a v6
        ("at 12:30:45 from 2001:db8::1, and [2001:db8::2]:80", ["2001:db8::1", "2001:db8::2"]),
        ("private 10.1.2.3 and 192.168.0.10", ["10.1.2.3", "192.168.0.10"]),
    ],
)
def test_valid(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "999.1.1.1",
        "256.0.0.1",
        "1.2.3.4.5",  # version string
        "v 1.2.3.4.5",
        "version 1.2.3.4",
        "v1.2.3.4",
        "oid 1.3.6.1.4.1",
        "ip=01.2.3.4",  # leading zero: ambiguous (octal), ipaddress rejects it
        "1234.1.1.1",
        "std::vector<int>",
        "a :: b",
        "12:30:45",
        "00:1a:2b:3c:4d:5e",  # MAC address
        "deadbeef::1",
        "a[1::2], b[::2], c[0::3]",  # slices: fewer than three IPv6 groups
        "loopback ::1",
        "fe80::1",
        "127.0.0.1",  # identifies no host
        "bind 0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "ff02::1:2",  # multicast
        "see section 7.2.1.5",
        '__version__ = "3.5.0.1"',
        "foo==1.0.0.0",
    ],
)
def test_invalid(text: str) -> None:
    assert found(text) == []


def test_offsets_after_non_ascii() -> None:
    text = "Serveur à Zürich 🖥️ : 8.8.8.8 et 2001:db8::1"
    assert found(text) == ["8.8.8.8", "2001:db8::1"]
