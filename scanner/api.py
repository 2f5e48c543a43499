"""The public Python API: ``Scanner`` for texts and tables, ``redact`` and ``explain`` as functions.

Everything here wraps the same shard function the CLI runs (``pipeline.Scanner.scan_shard``), so a
text scanned from Python gets exactly the spans, tier and reasons ``pii-scanner scan`` writes for it,
and the tables have the schemas of the Parquet outputs. Results never hold matched text unless asked
(``include_text=True``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, NamedTuple

from .records import DocResult, Document, Span, Status

if TYPE_CHECKING:
    import pyarrow as pa

    from .pipeline import Scanner as _Engine

__all__ = ["Scanner", "ScanTables", "redact", "explain"]

# Documents per call into the shard function: big enough to length-sort windows into full batches,
# small enough to bound memory on a long input (the CLI's default shard size).
DEFAULT_BATCH = 1024
SOURCE = ""  # the ``source`` column of in-memory input (the CLI writes the input file there)


class ScanTables(NamedTuple):
    """Arrow tables with the schemas of ``OUT/documents/*.parquet`` and ``OUT/spans/*.parquet``."""

    documents: pa.Table
    spans: pa.Table


def _document(doc_id: str, text: Any) -> Document:
    """A document for the shard function; a non-string text becomes an error row, as readers do."""
    if isinstance(text, str):
        return Document(doc_id, SOURCE, text)
    what = "null" if text is None else f"{type(text).__name__}, expected string"
    return Document(doc_id, SOURCE, None, error=f"text is {what}", status=Status.ERROR)


def _as_documents(texts: Iterable[str | tuple[str, str]], start: int = 0) -> Iterator[Document]:
    """Strings get their position as id (``"0"``, ``"1"``...); ``(id, text)`` pairs keep their id."""
    for i, item in enumerate(texts, start):
        if isinstance(item, tuple):
            doc_id, text = item
            yield _document(str(doc_id), text)
        else:
            yield _document(str(i), item)


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _column_batches(data: Any, text_column: str, id_column: str | None,
                    size: int) -> Iterator[tuple[list[Any], list[Any]]]:
    """(ids or [], texts) per batch of rows of a pyarrow Table, a pandas DataFrame or a datasets.Dataset.

    Only the named columns are read; a missing column is a ``KeyError`` naming what is there.
    """
    cols = [text_column] + ([id_column] if id_column else [])
    names = _column_names(data)
    missing = [c for c in cols if c not in names]
    if missing:
        raise KeyError(f"no column {missing[0]!r} (columns: {', '.join(map(str, names))})")
    kind = type(data).__module__.split(".")[0]
    if kind == "pyarrow":
        for batch in data.select(cols).to_batches(max_chunksize=size):
            yield (batch.column(id_column).to_pylist() if id_column else []), batch.column(text_column).to_pylist()
    elif kind == "pandas":
        for lo in range(0, len(data), size):
            part = data.iloc[lo:lo + size]
            yield (part[id_column].tolist() if id_column else []), part[text_column].tolist()
    elif kind == "datasets":
        for batch in data.select_columns(cols).iter(batch_size=size):
            yield (batch[id_column] if id_column else []), batch[text_column]
    else:
        raise TypeError(f"expected a pyarrow.Table, pandas.DataFrame or datasets.Dataset, "
                        f"got {type(data).__name__}")


def _column_names(data: Any) -> list[str]:
    names = getattr(data, "column_names", None)  # pyarrow and datasets
    if names is None and hasattr(data, "columns"):  # pandas
        names = list(data.columns)
    if names is None:
        raise TypeError(f"expected a pyarrow.Table, pandas.DataFrame or datasets.Dataset, "
                        f"got {type(data).__name__}")
    return list(names)


def _span_dicts(spans: Sequence[Span]) -> list[dict[str, Any]]:
    return [asdict(s) for s in spans]


class Scanner:
    """Loads the model, detectors and policy once; then scans texts, tables and datasets.

    Options are those of the CLI, by their Python names: ``backend`` (``"auto"``, ``"torch"``,
    ``"onnx"``), ``device``, ``precision``, ``model`` (a folder; default: the shipped model, or
    ``PII_SCANNER_MODEL``), ``policy`` and ``rules_config`` (YAML paths; default: the shipped
    configs), ``use_model=False`` (pattern detectors only), ``use_rules``, ``threads``,
    ``token_budget``, ``strict_backend``. An unknown option is a ``TypeError``.

    >>> scanner = Scanner(use_model=False)
    >>> [r] = scanner.scan(["write to jane.doe@example.com"])
    >>> r.tier_name, [(s.label, s.start, s.end, s.detector) for s in r.spans]
    ('on_premise_only', [('EMAIL', 9, 29, 'email')])
    """

    def __init__(self, **options: Any) -> None:
        from .pipeline import Scanner as Engine
        from .pipeline import ScanOptions

        self._options = options
        self._engine: _Engine = Engine(ScanOptions(**options))

    @property
    def backend(self) -> str:
        """Which backend runs the model, and why (``"model disabled"`` with ``use_model=False``)."""
        return self._engine.backend_reason

    def __repr__(self) -> str:
        return f"Scanner({', '.join(f'{k}={v!r}' for k, v in self._options.items())})"

    def scan(self, texts: Iterable[str | tuple[str, str]], *, batch_size: int = DEFAULT_BATCH) -> list[DocResult]:
        """One ``DocResult`` per text, in input order.

        ``texts`` are strings (ids ``"0"``, ``"1"``... by position) or ``(id, text)`` pairs. A result
        has ``doc_id``, ``status`` (``"ok"``, or ``"error"`` with ``error`` for a non-string text),
        ``tier``, ``tier_name``, ``categories``, ``reasons``, ``entity_counts`` and ``spans``: each
        ``Span`` has ``start``/``end`` (``str`` offsets, half-open), ``label``, ``score``, ``detector``.
        """
        if isinstance(texts, (str, tuple)):
            raise TypeError("scan() takes a list of texts; for one text use scan_text()")
        out: list[DocResult] = []
        for chunk in _chunks(_as_documents(texts), batch_size):
            out.extend(self._engine.scan_shard(chunk))
        return out

    def scan_text(self, text: str) -> DocResult:
        """``scan([text])[0]``."""
        return self.scan([text])[0]

    def scan_table(self, data: Any, text_column: str = "text", id_column: str | None = None, *,
                   include_text: bool = False, batch_size: int = DEFAULT_BATCH) -> ScanTables:
        """Scan a column of a ``pyarrow.Table``, ``pandas.DataFrame`` or ``datasets.Dataset``.

        Returns ``ScanTables(documents, spans)`` with the Parquet outputs' schemas, one documents row
        per input row in order. ``doc_id`` is ``id_column``'s value as a string, or the row number.
        ``include_text`` adds the matched text to the spans table (it is the sensitive data itself).
        """
        import pyarrow as pa

        from .writers import documents_table, spans_table

        docs: list[pa.Table] = []
        spans: list[pa.Table] = []
        row = 0
        for ids, texts in _column_batches(data, text_column, id_column, batch_size):
            keys = [str(i) for i in ids] if id_column else [str(row + k) for k in range(len(texts))]
            results = self._engine.scan_shard([_document(k, t) for k, t in zip(keys, texts)])
            docs.append(documents_table(results))
            spans.append(spans_table(results, include_text,
                                     [t if isinstance(t, str) else None for t in texts]))
            row += len(texts)
        if not docs:
            docs, spans = [documents_table([])], [spans_table([], include_text, [])]
        return ScanTables(pa.concat_tables(docs), pa.concat_tables(spans))

    def map_function(self, text_column: str = "text", prefix: str = "pii_") -> Callable[[dict], dict]:
        """A function for ``datasets.Dataset.map(fn, batched=True, batch_size=1024)``.

        It adds ``{prefix}tier``, ``{prefix}tier_name``, ``{prefix}categories``, ``{prefix}reasons`` (the
        readable lines, ``DocResult.reason_text()``)
        and ``{prefix}spans`` (a list of ``{start, end, label, score, detector}``) to each row. It
        pickles as its options, not the loaded model, so ``datasets`` can fingerprint it and worker
        processes (``num_proc``) load their own copy.
        """
        return _MapFunction(self._options, text_column, prefix, self)


class _MapFunction:
    """``Scanner.map_function``'s callable; see there."""

    def __init__(self, options: dict[str, Any], text_column: str, prefix: str,
                 scanner: Scanner | None = None) -> None:
        self.options, self.text_column, self.prefix = options, text_column, prefix
        self._scanner = scanner

    def __reduce__(self):  # the options, never the loaded model
        return (_MapFunction, (self.options, self.text_column, self.prefix))

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        if self._scanner is None:
            self._scanner = Scanner(**self.options)
        texts = batch[self.text_column]
        # Ids by position within the batch: the results are matched back by order, never by id.
        results = self._scanner._engine.scan_shard([_document(str(i), t) for i, t in enumerate(texts)])
        p = self.prefix
        return {f"{p}tier": [r.tier for r in results],
                f"{p}tier_name": [r.tier_name for r in results],
                f"{p}categories": [list(r.categories) for r in results],
                # The readable lines: ``datasets`` infers each batch's types from its values, and a
                # struct field null in a whole batch (no marker reasons) would fail the next batch.
                f"{p}reasons": [r.reason_text() for r in results],
                f"{p}spans": [_span_dicts(r.spans) for r in results]}


def redact(text: str, spans: Sequence[Span], style: str = "type", *, key: bytes | str | None = None) -> str:
    """``text`` with every span replaced; the rest of the text is kept exactly as it is.

    Styles: ``"mask"`` (same length: ``****``), ``"type"`` (``[EMAIL]``), ``"pseudonym"``
    (``EMAIL_1a2b3c4d``, keyed HMAC; ``key`` or ``PII_SCANNER_REDACT_KEY`` /
    ``PII_SCANNER_REDACT_KEY_FILE``, at least 16 bytes) and ``"hash"`` (unkeyed, brute-forceable).

    >>> redact("call Ann on 555-0100", [Span(12, 20, "PHONE", 0.9, "phone")], "type")
    'call Ann on [PHONE]'
    """
    from .redaction import load_key, redact_text

    raw = key.encode("utf-8") if isinstance(key, str) else key
    if style == "pseudonym" and raw is None:
        raw = load_key(os.environ)
    return redact_text(text, spans, style, raw)  # checks the style, and the key's length


def explain(text: str, spans: Sequence[Span] | None = None, *, scanner: Scanner | None = None,
            policy: str | None = None, doc_id: str = "", width: int = 100, color: bool = False) -> str:
    """The ``pii-scanner explain`` report for one text: findings highlighted, a table, tier and reasons.

    With ``spans`` (e.g. ``result.spans``) only the policy is evaluated (``policy``: a YAML path,
    default the shipped one); without, ``scanner`` (default: a new ``Scanner()``) scans the text.
    Returns the report as a string (ANSI colours with ``color=True``). It shows the matched text:
    that is its purpose.
    """
    from rich.console import Console

    from .explanation import render_explain
    from .policy import classify, load_policy

    if spans is None:
        scanner = scanner or Scanner()
        spans = scanner.scan_text(text).spans
    pol = scanner._engine.policy if scanner is not None and policy is None else load_policy(policy)
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, color_system="standard" if color else None)
    render_explain(text, list(spans), classify(text, list(spans), pol), console, doc_id=doc_id)
    return out.getvalue()
