"""Which language a document is in, so model findings are only trusted where the model was trained.

The shipped model is English; on German or French prose it turns greetings and common nouns into
PERSON / ORGANIZATION / MEDICAL and invents categories. Documents identified (confidently) as another
language are scanned by the validated pattern detectors only, and their row says so
(``language``, ``model_used=False``).

Identification is py3langid (the langid.py model, numpy only, shipped in the wheel). Code, tables and
short snippets are often guessed with low confidence as something exotic; only a confident guess on
enough letters overrides the default, which is "the model's language": when unsure, the model runs.
"""

from __future__ import annotations

from functools import lru_cache

SAMPLE_CHARS = 2000  # identification reads this much of the document: its cost stays per document
MIN_LETTERS = 40
NO_LANGUAGE = "zxx"


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def sample(text: str) -> str:
    """The start of the document and a piece of its middle (a long file's header is not its body)."""
    if len(text) <= SAMPLE_CHARS:
        return text
    half = SAMPLE_CHARS // 2
    mid = len(text) // 2
    return text[:half] + "\n" + text[mid:mid + half]


def identify(text: str, default: str, min_confidence: float) -> str:
    """ISO 639-1 code of ``text``'s language, or ``default`` when the guess is not confident."""
    s = sample(text)
    if sum(c.isalpha() for c in s) < MIN_LETTERS:
        return default
    lang, prob = _identifier().classify(s)
    # "zxx" is the model's "no linguistic content" (logs, tables, code): the model's own ground.
    return lang if prob >= min_confidence and lang != NO_LANGUAGE else default
