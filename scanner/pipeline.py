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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .backends import load_backend
from .case import uses_case
from .consistency import propagate
from .decode import decode_spans
from .language import identify
from .lineprefix import model_view
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
    # context. Smaller overlaps saved tokens at the same F1 but moved single documents, and longer
    # windows lose F1 (trained on 128), so the trained overlap stays (the measurements:
    # benchmarks/README.md, "Measurements behind code defaults", and benchmarks/windows.py).
    stride: int = 32
    token_budget: int | None = None  # padded tokens per batch; None: by device (``for_device``)
    pad_multiple: int | None = None  # batch widths rounded up to a multiple of this; None: by device
    rules_config: str | Path | None = None
    policy: str | Path | None = None
    use_model: bool = True
    use_rules: bool = True
    threads: int | None = None
    compile: bool = False  # torch.compile the torch backend (opt-in: pays only on long GPU runs, if at all)
    overlap_rules: bool | None = None  # run detectors in a thread beside inference; None = on GPU only

    def for_device(self, device: str) -> ScanOptions:
        """These options with every device-dependent default settled: token budget, padding, and
        whether the detectors run beside inference. ``Scanner.resolved`` holds the result."""
        on_gpu = device == "cuda"
        # CPU: small batches stay in cache, so a small budget scans faster there (measured:
        # benchmarks/README.md, "Measurements behind code defaults"); a GPU wants big batches.
        # Tensor cores want sequence lengths in multiples of 8; on a CPU every pad token is waste.
        return replace(self, token_budget=self.token_budget or (65_536 if on_gpu else 1_024),
                       pad_multiple=self.pad_multiple or (8 if on_gpu else 1),
                       overlap_rules=on_gpu if self.overlap_rules is None else self.overlap_rules)

    def for_processes(self, n: int) -> ScanOptions:
        """These options for one of ``n`` scanning processes on a machine: unless set, each gets its share
        of the physical cores (worker processes, Ray actors on a node)."""
        if self.threads is not None:
            return self
        from .backends.base import physical_cores

        return replace(self, threads=max(1, physical_cores() // max(1, n)))


@dataclass
class Timings:
    """Seconds per stage. Each stage returns its own and ``Scanner.scan_shard_timed`` returns a shard's;
    whoever runs the shards sums them (``add``) in one thread, for the manifest and the benchmarks."""

    tokenize: float = 0.0
    infer: float = 0.0
    decode: float = 0.0
    rules: float = 0.0
    policy: float = 0.0
    start_workers: float = 0.0  # spawning worker processes and loading their models (--workers N)
    tokens: int = 0
    windows: int = 0

    def add(self, other: Timings) -> None:
        """Add ``other`` into this one (call it from one thread: this is a plain read-modify-write)."""
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))


@dataclass(slots=True)
class Prepared:
    """A tokenised shard: the documents, which of them have text, and their tokens."""

    docs: list[Document]
    live: list[int]
    toks: list[Tokenized]
    languages: list[str | None]  # per live document; None when the model is off (nothing to decide)
    tokenize_s: float = 0.0  # what tokenising took (in whichever thread prepared it)


@dataclass
class Scanner:
    """Holds what is loaded once (model, tokenizer, detectors, policy) and scans shards with it.

    ``options`` are as given; ``resolved`` are the options this scanner runs, settled once: the
    backend that loaded pinned (a worker process built from them runs exactly this, with no fallback
    of its own) and the device's defaults filled in. ``token_budget`` starts as ``resolved``'s and is
    the one value that changes: an out-of-memory batch halves it for the rest of the run.
    """

    options: ScanOptions = field(default_factory=ScanOptions)

    def __post_init__(self) -> None:
        opts = self.options
        self.model = ModelInfo.resolve(opts.model)
        self.id2tag = self.model.id2tag
        hf_tok = self.model.fast_tokenizer()  # not transformers: keeps torch out of --no-model runs
        self.tokenizer = rust_tokenizer(hf_tok)
        self.cls_id, self.sep_id = hf_tok.cls_token_id, hf_tok.sep_token_id
        self.pad_id = hf_tok.pad_token_id or 0
        # A model trained on case classes gets them (``case.py``); they cost nothing for one that is not.
        self.reads_case = opts.use_model and uses_case(self.model.config)
        self.backend, self.backend_reason = (None, "model disabled")
        if opts.use_model:
            self.backend, self.backend_reason = load_backend(
                opts.backend, self.model.path, device=opts.device, strict=opts.strict_backend,
                precision=opts.precision, threads=opts.threads, compile=opts.compile)
        self.rules_cfg: RulesConfig = load_rules_config(opts.rules_config)
        self.detectors = build_detectors(self.rules_cfg) if opts.use_rules else []
        self.rule_labels = authoritative_labels(self.detectors)
        self.policy: Policy = load_policy(opts.policy)
        self.resolved: ScanOptions = self._resolve()
        self.token_budget: int = self.resolved.token_budget  # halved by ``_predict`` after an OOM
        overlap = self.resolved.overlap_rules
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="rules") if overlap else None

    def _resolve(self) -> ScanOptions:
        b = self.backend
        opts = replace(self.options.for_device(b.device if b is not None else "cpu"), model=str(self.model.path))
        if b is not None:
            opts = replace(opts, backend=b.name, device=b.device, precision=b.precision, strict_backend=True)
        return opts

    @property
    def pad_multiple(self) -> int:
        return self.resolved.pad_multiple

    # -- stages ---------------------------------------------------------------------------------

    def model_spans(self, texts: list[str], toks: list[Tokenized],
                    use: list[bool]) -> tuple[list[list[Span]], Timings]:
        """Run the model over every window of the texts with ``use[i]`` and decode word-level spans;
        returns them with this stage's timings (infer, decode, tokens, windows)."""
        t = Timings()
        max_tokens = self.options.max_length - 2
        windows = []
        for i, tk in enumerate(toks):
            if len(tk) and use[i]:
                windows += make_windows(i, len(tk), tk.ids, max_tokens, self.options.stride, tk.case)
        tag_ids = [np.zeros(len(tk), dtype=np.int16) for tk in toks]
        tag_scores = [np.zeros(len(tk), dtype=np.float32) for tk in toks]
        t0 = time.perf_counter()
        for batch in make_batches(windows, self.token_budget, self.cls_id, self.sep_id, self.pad_id,
                                  pad_multiple=self.pad_multiple):
            best, best_p = self._predict(batch.input_ids, batch.attention_mask, batch.token_type_ids)
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
        return out, t

    def _predict(self, input_ids: np.ndarray, mask: np.ndarray,
                 types: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Out of memory: halve the batch and retry, and keep the smaller budget for the rest of the run."""
        try:
            return self.backend.predict(input_ids, mask, types)
        except Exception as exc:  # torch, onnxruntime and CUDA all spell OOM differently
            if not _is_oom(exc) or input_ids.shape[0] == 1:
                raise
            self.token_budget = max(input_ids.shape[1], self.token_budget // 2)
            log.warning("out of memory on a %dx%d batch: halving it (token budget now %d)",
                        *input_ids.shape, self.token_budget)
            _free_cuda_cache()
            h = input_ids.shape[0] // 2
            t1, t2 = (None, None) if types is None else (types[:h], types[h:])
            (b1, p1), (b2, p2) = self._predict(input_ids[:h], mask[:h], t1), self._predict(input_ids[h:], mask[h:], t2)
            return np.concatenate([b1, b2]), np.concatenate([p1, p2])

    def rule_spans(self, texts: list[str]) -> tuple[list[list[Span] | Exception], float]:
        """Pattern detectors over each text, and the seconds they took; independent of the model, so it
        can run beside inference (in another thread: it touches no shared state).

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
        return out, time.perf_counter() - t0

    def prepare(self, docs: list[Document]) -> Prepared:
        """Tokenise a shard. Separate from inference so the runner can tokenise the next shard in a
        thread (the Rust tokenizer releases the GIL) while this one is on the device."""
        live = [i for i, d in enumerate(docs) if d.status == "ok" and isinstance(d.text, str)]
        t0 = time.perf_counter()
        # The model reads each text without its quote and bullet markers (same offsets: lineprefix.py).
        toks = tokenize(self.tokenizer, [model_view(docs[i].text) for i in live], case=self.reads_case)
        seconds = time.perf_counter() - t0
        return Prepared(docs, live, toks, [self.language(docs[i].text) for i in live], seconds)

    def language(self, text: str) -> str | None:
        """The document's language as far as the model is concerned (see ``language.py``)."""
        if self.backend is None:
            return None
        cfg = self.rules_cfg
        return identify(text, cfg.model_languages[0], cfg.language_confidence) if cfg.model_languages else None

    def scan_shard(self, docs: list[Document] | Prepared) -> list[DocResult]:
        """One ``DocResult`` per input document, in input order; bad documents become error rows."""
        return self.scan_shard_timed(docs)[0]

    def scan_shard_timed(self, docs: list[Document] | Prepared) -> tuple[list[DocResult], Timings]:
        """``scan_shard``, and the shard's stage timings. The scanner keeps no timings of its own: the
        stages return theirs (the detectors may run in another thread) and they are summed here."""
        prep = docs if isinstance(docs, Prepared) else self.prepare(docs)
        docs, live, toks = prep.docs, prep.live, prep.toks
        texts = [docs[i].text for i in live]
        use = [self.backend is not None and (lang is None or lang in self.rules_cfg.model_languages)
               for lang in prep.languages]
        # On a GPU the Python-bound detectors would otherwise leave the device idle: run them in a
        # thread while inference (which releases the GIL) runs here.
        pending = self._pool.submit(self.rule_spans, texts) if self._pool and self.backend else None
        if self.backend:
            model_spans, t = self.model_spans(texts, toks, use)
        else:
            model_spans, t = [[] for _ in texts], Timings()
        rule_spans, t.rules = pending.result() if pending else self.rule_spans(texts)
        t.tokenize = prep.tokenize_s
        results = [self._failed(d) for d in docs]
        for k, i in enumerate(live):
            results[i], merge_s, policy_s = self._finish(docs[i], toks[k], model_spans[k], rule_spans[k])
            results[i].language, results[i].model_used = prep.languages[k], use[k]
            t.rules += merge_s
            t.policy += policy_s
        return results, t

    def _finish(self, doc: Document, tok: Tokenized, model_spans: list[Span],
                rule_spans: list[Span] | Exception) -> tuple[DocResult, float, float]:
        """The document's result, and the seconds merging (counted as rules) and the policy took."""
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
                             n_chars=len(text), n_tokens=len(tok)), 0.0, 0.0
        t2 = time.perf_counter()
        return DocResult(
            doc_id=doc.doc_id, source=doc.source, status="ok", error=doc.error,
            n_chars=len(text), n_tokens=len(tok), spans=spans,
            entity_counts=dict(sorted(Counter(s.label for s in spans).items())),
            tier=cls.tier, tier_name=cls.tier_name, categories=cls.categories, reasons=cls.reasons), t1 - t0, t2 - t1

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
