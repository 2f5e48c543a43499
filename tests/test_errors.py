"""One error base: every exception class pii-scanner defines is a ``ScannerError``.

The classes are found by importing every module of the package and collecting the exception classes
defined there, so a new module's new exception is checked without anyone listing it here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import scanner
from scanner.errors import ScannerError

# Owned by files other engineers are editing right now; each needs a one-line base change
# (``class X(ScannerError, RuntimeError)``). Strict: the test fails as soon as it is done, so the
# entry is removed then.


def _project_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(scanner.__path__, "scanner."):
        if info.name == "scanner.__main__":  # runs the command line
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__.startswith("scanner"):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


EXCEPTIONS = _project_exceptions()


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_search_finds_the_known_classes():
    names = {c.__name__ for c in EXCEPTIONS}
    assert {"ConfigError", "RedactError", "InputError", "ResumeRefused", "OutputBusy", "OutputError",
            "WorkerError", "RayEngineError", "BackendUnavailable", "ExportError"} <= names


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=_name)
def test_every_project_exception_is_a_scanner_error(cls):
    assert issubclass(cls, ScannerError)


def test_old_import_paths_and_builtin_bases_still_work():
    from scanner.config import ConfigError
    from scanner.ray_engine import RayEngineError
    from scanner.readers import InputError
    from scanner.redaction import RedactError
    from scanner.resume import OutputBusy, ResumeRefused
    from scanner.runner import OutputError
    from scanner.workers import WorkerError

    assert issubclass(ConfigError, ValueError) and issubclass(RedactError, ConfigError)
    assert issubclass(OutputError, OSError) and issubclass(WorkerError, RuntimeError)
    assert issubclass(RayEngineError, WorkerError)
    for cls in (InputError, OutputBusy, ResumeRefused):
        assert issubclass(cls, ScannerError)
    err = OutputError("out", OSError(28, "No space left on device", "out/spans/part-00000.parquet"))
    assert str(err).startswith("cannot write out/spans/part-00000.parquet: No space left on device;")


def test_a_real_failure_is_caught_by_the_base(tmp_path):
    """A real missing input, through the real reader: ``except ScannerError`` is enough."""
    from scanner.readers import read_documents

    with pytest.raises(ScannerError, match="nope.jsonl"):
        read_documents([tmp_path / "nope.jsonl"])
