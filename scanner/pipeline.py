"""Wires the stages for one shard: window/batch -> infer -> decode -> rules -> policy.

``Scanner.scan_shard`` is the core of the project: documents in, one ``DocResult`` per document out,
deterministic for a given model and config, no I/O. Readers, writers, resume and parallelism live
around it (``runner.py``), so the same function serves one process, several, or a distributed engine.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .backends import load_backend
from .consistency import propagate
from .decode import decode_spans
from .language import identify
from .merge import merge_spans
from .model import ModelInfo
from .policy import Policy, classify, load_policy
from .records import DocResult, Document, Span
from .rules import RulesConfig, authoritative_labels, build_detectors, find_all, load_rules_config
from .windows import Tokenized, make_batches, make_windows, rust_tokenizer, tokenize

log = logging.getLogger(__name__)


def _is_oom(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return "out of memory" in text or "outofmemory" in text or "failed to allocate" in text


def _free_cuda_cache() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


@dataclass
class ScanOptions:
    model: str | Path | None = None
    backend: str = "auto"
    device: str = "auto"
    precision: str = "auto"
    strict_backend: bool = False
    max_length: int = 128  # tokens per window, special tokens included (what the model was trained on)
    # Overlap between windows of one long document: every owned token keeps >= stride/2 tokens of
    # context. 1000 held-out docs (int8): stride 32 / 24 / 16 -> overlap F1 0.9265 / 0.9270 / 0.9259
    # for 431K / 404K / 380K model tokens, the same within noise; but 24 and 16 move single documents
    # (a strategy memo's stray PERSON rises from 0.65 to 0.89 at 24), so the trained overlap stays.
    # Re-measured (benchmarks/windows.py, per-token int8, 40 long docs): stride 16 scans them 1.15x faster
    # at -0.0025 overlap F1 on them; 256- and 512-token windows lose 2-6 F1 points (trained on 128).
    stride: int = 32
    token_budget: int | None = None  # padded tokens per batch; default depends on the device
    rules_config: str | Path | None = None
    policy: str | Path | None = None
    use_model: bool = True
    use_rules: bool = True
    threads: int | None = None
    compile: bool = False  # torch.compile the torch backend (opt-in: pays only on long GPU runs, if at all)
    overlap_rules: bool | None = None  # run detectors in a thread beside inference; None = on GPU only


@dataclass
class Timings:
    """Seconds per stage, summed over shards; the manifest and benchmarks report them."""

    tokenize: float = 0.0
    infer: float = 0.0
    decode: float = 0.0
    rules: float = 0.0
    policy: float = 0.0
    start_workers: float = 0.0  # spawning worker processes and loading their models (--workers N)
    tokens: int = 0
    windows: int = 0

    def add(self, other: "Timings") -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))


@dataclass(slots=True)
class Prepared:
    """A tokenised shard: the documents, which of them have text, and their tokens."""

    docs: list[Document]
    live: list[int]
    toks: list[Tokenized]
    languages: list[str | None]  # per live document; None when the model is off (nothing to decide)


@dataclass
class Scanner:
    """Holds what is loaded once (model, tokenizer, detectors, policy) and scans shards with it."""

    options: ScanOptions = field(default_factory=ScanOptions)

    def __post_init__(self) -> None:
        opts = self.options
        self.model = ModelInfo.resolve(opts.model)
        self.id2tag = self.model.id2tag
        hf_tok = self.model.fast_tokenizer()  # not transformers: keeps torch out of --no-model runs
        self.tokenizer = rust_tokenizer(hf_tok)
        self.cls_id, self.sep_id = hf_tok.cls_token_id, hf_tok.sep_token_id
        self.pad_id = hf_tok.pad_token_id or 0
        self.backend, self.backend_reason = (None, "model disabled")
        if opts.use_model:
            self.backend, self.backend_reason = load_backend(
                opts.backend, self.model.path, device=opts.device, strict=opts.strict_backend,
                precision=opts.precision, threads=opts.threads, compile=opts.compile)
        self.rules_cfg: RulesConfig = load_rules_config(opts.rules_config)
        self.detectors = build_detectors(self.rules_cfg) if opts.use_rules else []
        self.rule_labels = authoritative_labels(self.detectors)
        self.policy: Policy = load_policy(opts.policy)
        on_gpu = self.backend is not None and self.backend.device == "cuda"
        # CPU: small batches stay in cache. On the 2-core Xeon, 1,500 held-out docs with int8 ONNX took
        # 26.1 s at 1,024 padded tokens per batch vs 31.9 s at 4,096 (torch fp32: 14.6 vs 16.2 s).
        self.token_budget = opts.token_budget or (65_536 if on_gpu else 1_024)
        # Tensor cores want sequence lengths in multiples of 8; on a CPU every pad token is waste.
        self.pad_multiple = 8 if on_gpu else 1
        self.timings = Timings()
        overlap = opts.overlap_rules if opts.overlap_rules is not None else on_gpu
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="rules") if overlap else None

    # -- stages ---------------------------------------------------------------------------------

    def model_spans(self, texts: list[str], toks: list[Tokenized], use: list[bool]) -> list[list[Span]]:
        """Run the model over every window of the texts with ``use[i]`` and decode word-level spans."""
        t = Timings()
        max_tokens = self.options.max_length - 2
        windows = []
        for i, tk in enumerate(toks):
            if len(tk) and use[i]:
                windows += make_windows(i, len(tk), tk.ids, max_tokens, self.options.stride)
        tag_ids = [np.zeros(len(tk), dtype=np.int16) for tk in toks]
        tag_scores = [np.zeros(len(tk), dtype=np.float32) for tk in toks]
        t0 = time.perf_counter()
        for batch in make_batches(windows, self.token_budget, self.cls_id, self.sep_id, self.pad_id,
                                  pad_multiple=self.pad_multiple):
            best, best_p = self._predict(batch.input_ids, batch.attention_mask)
            for r, w in enumerate(batch.windows):
                a, b = w.keep_start - w.tok_start + 1, w.keep_end - w.tok_start + 1  # +1: [CLS]
                tag_ids[w.doc_index][w.keep_start:w.keep_end] = best[r, a:b]
                tag_scores[w.doc_index][w.keep_start:w.keep_end] = best_p[r, a:b]
            t.tokens += batch.n_tokens
        t.windows = len(windows)
        t1 = time.perf_counter()
        t.infer = t1 - t0
        out = [decode_spans(tag_ids[i], tag_scores[i], tk.offsets, tk.word_ids, self.id2tag, texts[i])
               for i, tk in enumerate(toks)]
        t.decode = time.perf_counter() - t1
        self.timings.add(t)
        return out

    def _predict(self, input_ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Out of memory: halve the batch and retry, and keep the smaller budget for the rest of the run."""
        try:
            return self.backend.predict(input_ids, mask)
        except Exception as exc:  # torch, onnxruntime and CUDA all spell OOM differently
            if not _is_oom(exc) or input_ids.shape[0] == 1:
                raise
            self.token_budget = max(input_ids.shape[1], self.token_budget // 2)
            log.warning("out of memory on a %dx%d batch: halving it (token budget now %d)",
                        *input_ids.shape, self.token_budget)
            _free_cuda_cache()
            h = input_ids.shape[0] // 2
            (b1, p1), (b2, p2) = self._predict(input_ids[:h], mask[:h]), self._predict(input_ids[h:], mask[h:])
            return np.concatenate([b1, b2]), np.concatenate([p1, p2])

    def rule_spans(self, texts: list[str]) -> list[list[Span] | Exception]:
        """Pattern detectors over each text; independent of the model, so it can run beside inference.

        A detector that fails on one document fails that document only (its row says why).
        """
        t0 = time.perf_counter()
        out: list[list[Span] | Exception] = []
        for text in texts:
            try:
                out.append(find_all(self.detectors, text))
            except Exception as exc:  # noqa: BLE001 - recorded per document, the run goes on
                log.warning("pattern detectors failed on a document: %s", type(exc).__name__)
                out.append(exc)
        self.timings.rules += time.perf_counter() - t0
        return out

    def prepare(self, docs: list[Document]) -> "Prepared":
        """Tokenise a shard. Separate from inference so the runner can tokenise the next shard in a
        thread (the Rust tokenizer releases the GIL) while this one is on the device."""
        live = [i for i, d in enumerate(docs) if d.status == "ok" and isinstance(d.text, str)]
        t0 = time.perf_counter()
        toks = tokenize(self.tokenizer, [docs[i].text for i in live])
        self.timings.tokenize += time.perf_counter() - t0
        return Prepared(docs, live, toks, [self.language(docs[i].text) for i in live])

    def language(self, text: str) -> str | None:
        """The document's language as far as the model is concerned (see ``language.py``)."""
        if self.backend is None:
            return None
        cfg = self.rules_cfg
        return identify(text, cfg.model_languages[0], cfg.language_confidence) if cfg.model_languages else None

    def scan_shard(self, docs: "list[Document] | Prepared") -> list[DocResult]:
        """One ``DocResult`` per input document, in input order; bad documents become error rows."""
        prep = docs if isinstance(docs, Prepared) else self.prepare(docs)
        docs, live, toks = prep.docs, prep.live, prep.toks
        texts = [docs[i].text for i in live]
        use = [self.backend is not None and (lang is None or lang in self.rules_cfg.model_languages)
               for lang in prep.languages]
        # On a GPU the Python-bound detectors would otherwise leave the device idle: run them in a
        # thread while inference (which releases the GIL) runs here.
        pending = self._pool.submit(self.rule_spans, texts) if self._pool and self.backend else None
        model_spans = self.model_spans(texts, toks, use) if self.backend else [[] for _ in texts]
        rule_spans = pending.result() if pending else self.rule_spans(texts)
        results = [self._failed(d) for d in docs]
        for k, i in enumerate(live):
            results[i] = self._finish(docs[i], toks[k], model_spans[k], rule_spans[k])
            results[i].language, results[i].model_used = prep.languages[k], use[k]
        return results

    def _finish(self, doc: Document, tok: Tokenized, model_spans: list[Span],
                rule_spans: list[Span] | Exception) -> DocResult:
        t0 = time.perf_counter()
        text = doc.text
        try:
            if isinstance(rule_spans, Exception):
                raise rule_spans
            spans = merge_spans(model_spans, rule_spans, self.rule_labels, self.rules_cfg, text)
            if self.rules_cfg.propagate:
                spans = propagate(spans, text)
            t1 = time.perf_counter()
            cls = classify(text, spans, self.policy)
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop a nightly run
            return DocResult(doc_id=doc.doc_id, source=doc.source, status="error",
                             error=f"internal error while scanning: {type(exc).__name__}",  # no message: it may quote the text
                             n_chars=len(text), n_tokens=len(tok))
        self.timings.rules += t1 - t0
        self.timings.policy += time.perf_counter() - t1
        return DocResult(
            doc_id=doc.doc_id, source=doc.source, status="ok", error=doc.error,
            n_chars=len(text), n_tokens=len(tok), spans=spans,
            entity_counts=dict(sorted(Counter(s.label for s in spans).items())),
            tier=cls.tier, tier_name=cls.tier_name, categories=cls.categories, reasons=cls.reasons)

    @staticmethod
    def _failed(doc: Document) -> DocResult:
        status = doc.status if doc.status != "ok" else "error"
        error = doc.error or "no text"
        return DocResult(doc_id=doc.doc_id, source=doc.source, status=status, error=error,
                         n_chars=0, n_tokens=0)

    def describe(self) -> dict:
        """Model, backend and config facts for the manifest (no secrets, no document content)."""
        info = {"model_id": self.model.id, "model_sha256": self.model.sha256,
                "backend_reason": self.backend_reason,
                "max_length": self.options.max_length, "stride": self.options.stride,
                "token_budget": self.token_budget,
                "detectors": [d.name for d in self.detectors]}
        if self.backend is not None:
            info.update(self.backend.describe())
        return info
