"""Reading columnar units (Parquet files, Arrow IPC files and streams, Hugging Face dataset splits).

Batches of ``BATCH_ROWS`` rows, only the text and id columns, memory-mapped where the format allows:
memory stays bounded by a batch, not the file. Problems come out as rows as in ``formats.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .formats import InputError, Unit, file_error, id_str, missing_column, text_problem
from .records import Document, Status

BATCH_ROWS = 256  # Arrow batch size: small enough that a batch of long documents stays small


def _decode_column(col: pa.Array | pa.ChunkedArray) -> list[Any]:
    """Text column to Python strings; binary columns are decoded like any other bytes we read."""
    typ = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
    values = col.to_pylist()
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        return [v.decode("utf-8", "replace") if v is not None else None for v in values]
    return values


def arrow_docs(batches: Iterable[pa.RecordBatch | pa.Table], source: str, text_column: str,
               id_column: str) -> Iterator[tuple[int, Document]]:
    """Documents from Arrow batches (Parquet, Arrow IPC and HF share this), with the row reached so far."""
    row = 0
    for batch in batches:
        texts = _decode_column(batch.column(text_column))
        ids = batch.column(id_column).to_pylist() if id_column in batch.schema.names else [None] * len(texts)
        for doc_id, text in zip(ids, texts):
            doc_id = id_str(doc_id) or f"{source}:{row}"
            row += 1
            problem = text_problem(text)
            yield row, Document(doc_id, source, None, problem, Status.ERROR) if problem else Document(doc_id, source, text)


def text_type_ok(typ: pa.DataType, where: str, text_column: str) -> None:
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if not (
        pa.types.is_null(typ)  # an all-null column: every row becomes a "text is null" error row
        or pa.types.is_string(typ)
        or pa.types.is_large_string(typ)
        or pa.types.is_binary(typ)
        or pa.types.is_large_binary(typ)
        or getattr(pa.types, "is_string_view", lambda t: False)(typ)
    ):
        raise InputError(f"{where}: column '{text_column}' is {typ}, expected string")


def open_arrow(path: Path):
    """An Arrow IPC file (random access) or stream (what ``datasets`` writes), as a batch reader."""
    try:
        return pa.ipc.open_file(pa.memory_map(str(path)))
    except pa.ArrowInvalid:
        return pa.ipc.open_stream(pa.memory_map(str(path)))


def arrow_schema(unit: Unit) -> pa.Schema | None:
    try:
        if unit.fmt == "parquet":
            return pq.read_schema(unit.path)
        return open_arrow(unit.path).schema
    except (OSError, pa.ArrowException):
        return None  # unreadable: its error row comes when it is read


def _arrow_batches(unit: Unit, columns: list[str]) -> Iterator[pa.RecordBatch]:
    if unit.fmt == "parquet":
        yield from pq.ParquetFile(unit.path).iter_batches(batch_size=BATCH_ROWS, columns=columns)
        return
    reader = open_arrow(unit.path)
    if isinstance(reader, pa.ipc.RecordBatchFileReader):
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i).select(columns)
    else:
        for batch in reader:
            yield batch.select(columns)


def read_arrow(unit: Unit, text_column: str, id_column: str) -> Iterator[Document]:
    """Parquet or Arrow IPC, in batches of ``BATCH_ROWS``."""
    row = 0
    try:
        schema = arrow_schema(unit)
        names = schema.names if schema is not None else []
        if schema is not None and text_column not in names:
            raise missing_column(unit.source, text_column, names)
        columns = [text_column] + ([id_column] if id_column in names else [])
        for _row, doc in arrow_docs(_arrow_batches(unit, columns), unit.source, text_column, id_column):
            yield doc
    except (OSError, pa.ArrowException) as exc:
        yield file_error(unit, row, exc)


def read_hf(unit: Unit, text_column: str, id_column: str) -> Iterator[Document]:
    import datasets

    row = 0
    try:
        ds = datasets.load_from_disk(str(unit.path))
        if unit.split is not None:
            ds = ds[unit.split]
        columns = [text_column] + ([id_column] if id_column in ds.column_names else [])
        # Arrow format: no per-row dict building, and the data stays memory-mapped.
        batches = ds.select_columns(columns).with_format("arrow").iter(batch_size=BATCH_ROWS)
        for _row, doc in arrow_docs(batches, unit.source, text_column, id_column):
            yield doc
    except Exception as exc:  # a damaged dataset: one error row, the scan goes on
        yield file_error(unit, row, exc, "cannot read dataset")


