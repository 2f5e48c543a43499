"""Headless Chromium (Debian's ``chromium``) for the report tests and docs/screenshot.py.

Network is cut off (every host resolves to nothing), so a report that drew its charts drew them from
what the file itself holds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", "--virtual-time-budget=20000"]


def binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(extra: list[str], html: Path) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([binary(), *FLAGS, f"--user-data-dir={profile}", *extra, html.resolve().as_uri()],
                              capture_output=True, text=True, timeout=180, check=True)


def dump_dom(html: Path) -> str:
    """The DOM after the page's scripts ran: what the charts drew, as SVG."""
    return _run(["--dump-dom"], html).stdout


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 2400) -> Path:
    _run([f"--screenshot={png}", f"--window-size={width},{height}"], html)
    return png
