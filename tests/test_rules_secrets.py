from __future__ import annotations

import base64
import json

import pytest

from scanner.rules.secrets import SecretsDetector, classify_key, is_placeholder

DET = SecretsDetector()


def found(text: str) -> list[tuple[str, str]]:
    spans = DET.find(text)
    assert all(s.detector == "secret" and 0.9 <= s.score <= 1.0 for s in spans)
    return [(text[s.start : s.end], s.label) for s in spans]


def _jwt(header: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    signature = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    return f"{enc(header)}.{enc({'sub': '1234567890', 'name': 'John Doe'})}.{signature}"


AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumFu1lDzqPkuyEfAQ6jHzsrTR\n"
    "q9Q3lD1hbdEHrA==\n"
    "-----END RSA PRIVATE KEY-----"
)

KEYS = [
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAY34FZKBOKMUTVV7A",
    "AIzaSyD-1234567890abcdefghijklmnopqrstu",
    "ghp_" + "a1B2" * 9,
    "gho_" + "Z9y8" * 9,
    "github_pat_11ABCDEFG0123456789abc_" + "x" * 59,
    "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "rk_live_51H8abcdefghijklmnop",
]


@pytest.mark.parametrize("key", KEYS)
def test_fixed_format_keys(key: str) -> None:
    text = f"config: use {key} here"
    assert found(text) == [(key, "SECRET")]
    assert DET.find(text)[0].score == 1.0


@pytest.mark.parametrize(
    "text", ["AKIAIOSFODNN7EXAMPL", "XAKIAIOSFODNN7EXAMPLE", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "ghp_short"]
)
def test_near_misses_are_not_keys(text: str) -> None:
    assert found(text) == []


def test_jwt_needs_a_header_with_alg() -> None:
    token = _jwt({"alg": "HS256", "typ": "JWT"})
    assert found(f"Cookie: session={token};")[0] == (token, "SECRET")
    assert found(f"x {_jwt({'typ': 'JWT'})} y") == []  # decodes, but no "alg"


def test_pem_block_whole() -> None:
    text = f"key:\n{PEM}\nend"
    assert found(text) == [(PEM, "SECRET")]


def test_truncated_pem_block_up_to_last_base64_line() -> None:
    text = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n\nmore text"
    assert found(text) == [(text[: text.index("\n\n")], "SECRET")]


def test_gcp_service_account_private_key() -> None:
    value = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"
    text = json.dumps({"type": "service_account", "private_key_id": "abc123def456"})[:-1]
    text += f', "private_key": "{value}", "client_email": "x@p.iam.gserviceaccount.com"}}'
    assert found(text) == [(value, "SECRET")]


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ('password = "hunter2"', "hunter2", "PASSWORD"),
        ("DB_PASSWORD=S3cr3t!", "S3cr3t!", "PASSWORD"),
        ("export API_TOKEN=abcd1234efgh", "abcd1234efgh", "SECRET"),
        ('{"password": "p@ss w0rd", "user": "bob"}', "p@ss w0rd", "PASSWORD"),
        ("[db]\npassword = hunter2\n", "hunter2", "PASSWORD"),
        ("  passwd: correct-horse-42\n", "correct-horse-42", "PASSWORD"),
        ("Your password: Winter2024!", "Winter2024!", "PASSWORD"),
        ('secret_key = "django-insecure-abc123"', "django-insecure-abc123", "SECRET"),
        ("client_secret: 'ZmFrZS1zZWNyZXQ'", "ZmFrZS1zZWNyZXQ", "SECRET"),
        ("api_key = 1234-5678-abcd", "1234-5678-abcd", "SECRET"),
        ("apiKey: 'k-9f8e7d6c5b4a'", "k-9f8e7d6c5b4a", "SECRET"),
        ('password: str = "hunter22"', "hunter22", "PASSWORD"),
        ("token: tok_9f8e7d6c", "tok_9f8e7d6c", "SECRET"),
        ("mysql --password=Sup3rS3cret db", "Sup3rS3cret", "PASSWORD"),
        ("Server=db;User Id=sa;Password=Pa55w0rd;", "Pa55w0rd", "PASSWORD"),
        ("aws_secret_access_key = " + AWS_SECRET, AWS_SECRET, "SECRET"),
        ("Authorization: Bearer abcdef1234567890abcdef", "abcdef1234567890abcdef", "SECRET"),
    ],
)
def test_assignment_values(text: str, value: str, label: str) -> None:
    assert found(text) == [(value, label)]


@pytest.mark.parametrize(
    "text",
    [
        "password: changeme",
        'password: "${DB_PASS}"',
        "password = $DB_PASS",
        "password = os.environ['DB_PASS']",
        'password = os.getenv("DB_PASS")',
        "password = getpass()",
        "password = self.password",
        "password: <password>",
        "password: ***",
        "password: '********'",
        "password=",
        'password: ""',
        "password: {{ vault_db_password }}",
        "token: %(token)s",
        "password: your_password_here",
        "password: null",
        "Reset your password: click here",
        "password_min_length: 8",
        "token_url: https://x.com/t",
        "max_tokens: 512",
        "passport_number: X1234567",
        'if password == "x":',
        "author: Jane",
        "auth: true",
        "the bearer of bad news",
        "private_key_id: 0123456789abcdef",
        "//somewhere-else.com/myorg/:_authToken=MYTOKEN1",  # npm's docs: a numbered placeholder
        "api_key: YOUR_API_KEY_2",
    ],
)
def test_placeholders_and_non_secrets(text: str) -> None:
    assert found(text) == []


def test_helpers() -> None:
    assert is_placeholder("<your-api-key>") and is_placeholder("xxxx") and not is_placeholder("hunter2")
    assert classify_key("DB_PASSWORD") == "PASSWORD"
    assert classify_key("AWS_SECRET_ACCESS_KEY") == "SECRET"
    assert classify_key("stripeApiKey") == "SECRET"
    assert classify_key("password_policy") is None
    assert classify_key("compass") is None


def test_offsets_after_non_ascii() -> None:
    text = "Ünïcödé 😀 — İstanbul\nDB_PASSWORD=S3cr3t! and AKIAIOSFODNN7EXAMPLE"
    assert found(text) == [("S3cr3t!", "PASSWORD"), ("AKIAIOSFODNN7EXAMPLE", "SECRET")]
