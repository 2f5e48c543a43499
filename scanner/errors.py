"""The errors pii-scanner raises on purpose: one base, ``ScannerError``, and the classes in one place.

Catch ``ScannerError`` to handle every failure the scanner explains itself (a bad config, an input it
cannot read, a folder another scan holds...) and let a bug stay a bug. Each message is one line that
never quotes document text or a secret. The classes keep the built-in base they always had as a
second base (``ConfigError`` is a ``ValueError``, ``OutputError`` an ``OSError``...), so an ``except``
written for that still catches them.

=====================  ===============================================================  ===========
class                  raised when                                                      lives in
=====================  ===============================================================  ===========
``ConfigError``        a config file is unreadable or invalid (names the file and key)  ``config``
``RedactError``        redaction cannot run: unknown style, missing or unusable key     ``redaction``
``InputError``         an input cannot be scanned at all (missing, no text column)      here
``ResumeRefused``      the output holds results that this run's settings would mix      here
``OutputBusy``         another scan is writing to the same output folder                here
``OutputError``        writing results failed (disk full, permissions)                  here
``WorkerError``        a worker process could not start, or died                        here
``RayEngineError``     Ray could not be reached, or shards came back missing            here
=====================  ===============================================================  ===========

``ConfigError`` and ``RedactError`` stay in their modules (the config loader is their one user); the
others are imported from here by the modules that raise them, and stay importable from those modules
(``scanner.readers.InputError``, ``scanner.resume.ResumeRefused``...). ``backends.BackendUnavailable``
and ``export.ExportError`` are still plain ``RuntimeError``s (see ``tests/test_errors.py``).
"""

from __future__ import annotations

from pathlib import Path


class ScannerError(Exception):
    """Base of every error pii-scanner raises on purpose; the message is one line, no document text."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception's message on one line, at most ``limit`` characters (its type when it has none)."""
    return " ".join(str(exc).split())[:limit] or type(exc).__name__


class InputError(ScannerError):
    """An input cannot be scanned at all (missing, unknown format, no text column); one-line message."""


class ResumeRefused(ScannerError):
    """The output folder holds results that this run's settings would silently mix with its own."""


class OutputBusy(ScannerError):
    """Another scan is writing to the same output folder right now."""


class OutputError(ScannerError, OSError):
    """Writing results failed (disk full, permissions); committed shards are kept and a rerun resumes."""

    def __init__(self, out: Path, exc: OSError) -> None:
        where = exc.filename or out
        super().__init__(f"cannot write {where}: {exc.strerror or one_line(exc)}; the shards already "
                         f"committed are kept: fix this and run the same command again to resume")


class WorkerError(ScannerError, RuntimeError):
    """A worker could not start, or died (killed, out of host memory...); committed shards stay and a
    rerun resumes."""


class RayEngineError(WorkerError):
    """Ray could not be reached, an actor could not start, or shards came back missing; committed
    shards stay and a rerun resumes."""


__all__ = ["InputError", "OutputBusy", "OutputError", "RayEngineError", "ResumeRefused", "ScannerError",
           "WorkerError", "one_line"]
