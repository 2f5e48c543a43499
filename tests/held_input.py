"""A scan's input that the test holds open: the scan cannot reach the end of it, so cannot finish.

Kill tests that wait for "some shards written" and then assume the run is still going are right only
on a machine slow enough; with the input a named pipe that the test feeds and keeps open, a run that
has scanned everything written so far waits for more, and the kill lands mid-run on any machine.
Feeding the same pipe the whole corpus and closing it makes a rerun see the same input as a file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class HeldInput:
    """``lines`` written into the named pipe ``path`` (made if missing) once a reader opens it, in a
    thread; the pipe stays open until ``close()`` unless ``hold`` is false."""

    def __init__(self, path: Path, lines: list[str], hold: bool = True) -> None:
        if not path.exists():
            os.mkfifo(path)
        self.path = path
        self._done = threading.Event()
        self._file = None
        self._thread = threading.Thread(target=self._feed, args=(lines, hold), daemon=True)
        self._thread.start()

    def _feed(self, lines: list[str], hold: bool) -> None:
        try:
            self._file = open(self.path, "w", encoding="utf-8")  # blocks until the scan opens it
            self._file.write("".join(lines))
            self._file.flush()
        except BrokenPipeError:  # the reader died (killed): nothing more to feed
            pass
        finally:
            self._done.set()
        if not hold:
            self.close()

    def wait_written(self, timeout: float = 120) -> bool:
        """True once every line is in the pipe (the reader has read all but the pipe's buffer)."""
        return self._done.wait(timeout)

    def close(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            try:
                f.close()
            except BrokenPipeError:
                pass
