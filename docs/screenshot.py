"""Regenerate docs/report.png: two audits of the bundled samples (the real model), the report, and a
headless-Chromium screenshot of it. Run from the repository root: ``python docs/screenshot.py``."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import chromium  # noqa: E402

EDITS = {  # the second night: three documents gain personal data, one new memo arrives
    0: "Please call Maria Lopez on +1 415 555 0199 about her claim.",
    1: "Dear Tom,\nyour salary review is attached. Kind regards, Ana",
    2: "Server password: hunter2-Prod-9f8e7d",
}


def audit(corpus: Path, state: Path) -> None:
    subprocess.run([sys.executable, "-m", "scanner", "audit", str(corpus), str(ROOT / "samples" / "tiers"),
                    "--state", str(state), "-q"], cwd=ROOT, check=False)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus, state = Path(tmp) / "corpus.jsonl", Path(tmp) / "nightly"
        rows = [json.loads(line) for line in (ROOT / "samples" / "corpus.jsonl").read_text().splitlines()]
        corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
        audit(corpus, state)
        for i, text in EDITS.items():
            rows[i]["text"] = text
        rows.append({"id": "memo-new", "text": "PRIVILEGED & CONFIDENTIAL - attorney-client communication."})
        corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
        audit(corpus, state)
        html = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "scanner", "report", str(state), "-o", str(html)], cwd=ROOT, check=True)
        png = chromium.screenshot(html, Path(tmp) / "report.png", 1280, 2000)
        from PIL import Image

        Image.open(png).convert("RGB").quantize(64).save(ROOT / "docs" / "report.png", optimize=True)
    print(ROOT / "docs" / "report.png")


if __name__ == "__main__":
    main()
