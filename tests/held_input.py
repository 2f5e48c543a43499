"""A scan's input that the test holds open: the scan cannot reach the end of it, so cannot finish.

Kill tests that wait for "some shards written" and then assume the run is still going are right only
on a machine slow enough; with the input a named pipe that the test feeds and keeps open, a run that
has scanned everything written so far waits for more, and the kill lands mid-run on any machine.
Afterwards ``as_file`` puts the whole corpus at the same path as a regular file: a rerun resumes (the
settings record input paths), and no rerun can race another reader for the pipe's data (an in-process
scan keeps its input stream open after it returns).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class HeldInput:
    """``lines`` written into the named pipe ``path`` (made if missing) once a reader opens it, in a
    thread; the pipe then stays open, with no end of input, until ``close()`` or ``as_file``."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        if not path.exists():
            os.mkfifo(path)
        self.path = path
        self._file = None
        self._thread = threading.Thread(target=self._feed, args=(lines,), daemon=True)
        self._thread.start()

    def _feed(self, lines: list[str]) -> None:
        try:
            self._file = open(self.path, "w", encoding="utf-8")  # blocks until the scan opens it
            self._file.write("".join(lines))
            self._file.flush()
        except BrokenPipeError:  # the reader died (killed): nothing more to feed
            pass

    def close(self) -> None:
        """End of input (the reader, if alive, sees EOF)."""
        f, self._file = self._file, None
        if f is not None:
            try:
                f.close()
            except BrokenPipeError:
                pass

    def as_file(self, lines: list[str]) -> Path:
        """Close the pipe and put ``lines`` at its path as a regular file."""
        self.close()
        self.path.unlink()
        self.path.write_text("".join(lines), encoding="utf-8")
        return self.path
