"""Average two fine-tuned checkpoints of one model, weight by weight (a "model soup").

A stage fine-tuned from the one before trades some of its recall for precision (or the reverse); the
average of the two sits between them and is often better than either on text neither was tuned
on (Wortsman et al., 2022, "Model soups"; WiSE-FT). Both must share the architecture, the tag set
and the tokenizer (its saved truncation settings aside: the scanner windows texts itself): the
tokenizer and configs are taken from ``a``, and ``training_config.json`` (``b``'s, plus the recipe)
records where the soup came from.

``python -m scanner.train.soup A B OUT [--weight 0.5]``: OUT = weight * A + (1 - weight) * B.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

_COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json")


def soup(a: str | Path, b: str | Path, out: str | Path, weight: float = 0.5) -> Path:
    """Write ``weight * a + (1 - weight) * b`` to ``out`` (fp dtype of ``a``); returns ``out``."""
    a, b, out = Path(a), Path(b), Path(out)
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], not {weight}")
    wa, wb = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    if wa.keys() != wb.keys() or any(wa[k].shape != wb[k].shape for k in wa):
        raise ValueError(f"{a} and {b} are not checkpoints of one architecture")
    for name in ("config.json", "tokenizer.json"):
        ja, jb = (json.loads((m / name).read_text()) for m in (a, b))
        ja.pop("truncation", None), jb.pop("truncation", None)
        if ja != jb:
            raise ValueError(f"{a} and {b} differ in {name}: not one model's checkpoints")
    mixed = {k: (weight * wa[k].float() + (1.0 - weight) * wb[k].float()).to(wa[k].dtype)
             if wa[k].is_floating_point() else wb[k] for k in wa}
    out.mkdir(parents=True, exist_ok=True)
    save_file(mixed, out / "model.safetensors", metadata={"format": "pt"})
    for name in _COPIED:
        shutil.copyfile(a / name, out / name)
    cfg = json.loads((b / "training_config.json").read_text()) if (b / "training_config.json").exists() else {}
    cfg["soup"] = {"a": str(a), "b": str(b), "weight_a": weight}
    (out / "training_config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scanner.train.soup", description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("out")
    ap.add_argument("--weight", type=float, default=0.5, help="the share of A (default 0.5)")
    args = ap.parse_args(argv)
    print(soup(args.a, args.b, args.out, args.weight))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
