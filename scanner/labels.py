"""The entity labels the scanner reports, and how they map to other tools' names.

One list, used by the generator, the trainer, the decoder, the rules and the evaluator, so a label can
never mean two things in two places.
"""

from __future__ import annotations

LABELS: tuple[str, ...] = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "STREET_ADDRESS",
    "LOCATION",
    "ORGANIZATION",
    "DATE",
    "AGE",
    "NRP",
    "ID_NUMBER",
    "CREDIT_CARD",
    "BANK_ACCOUNT",
    "IP_ADDRESS",
    "URL",
    "USERNAME",
    "PASSWORD",
    "SECRET",
    "MEDICAL",
)

# BIO tag set in a fixed order: the model's id2label is built from it.
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))
TAG2ID: dict[str, int] = {t: i for i, t in enumerate(TAGS)}

# Presidio entity name -> our label, for scoring Presidio with our evaluator.
FROM_PRESIDIO: dict[str, str] = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "LOCATION": "LOCATION",
    "GPE": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "ORG": "ORGANIZATION",
    "DATE_TIME": "DATE",
    "NRP": "NRP",
    "US_SSN": "ID_NUMBER",
    "US_PASSPORT": "ID_NUMBER",
    "US_DRIVER_LICENSE": "ID_NUMBER",
    "US_ITIN": "ID_NUMBER",
    "UK_NHS": "ID_NUMBER",
    "MEDICAL_LICENSE": "ID_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "BANK_ACCOUNT",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "CRYPTO": "SECRET",
}
