"""What ``configs/*.yaml`` files may say: pydantic building blocks and the one error formatter.

``scanner.policy_schema`` and ``scanner.rules.schema`` describe their files with ``Section`` models:
unknown keys are errors and types are strict (``true`` is no count, ``"0.5"`` no score). ``validate``
turns a pydantic ``ValidationError`` into one ConfigError line naming the file and the key::

    configs/policy.yaml: 'label_categories.pii[0].min_score' must be in [0, 1], got 2

Of several problems it reports the one at the shallowest key, an unknown key before a missing one
before a wrong value: the structure is fixed first. Checks that types cannot express (a regex
compiles, a label exists) are validators raising ``Invalid``, which may name a key below the one they
validate (the ``categories`` validator says which category is missing).

Loaded only when a config is (``load_policy``, ``load_rules_config``): ``--help`` needs no pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, ValidationError

from scanner.config import ConfigError
from scanner.errors import ScannerError
from scanner.labels import LABELS

M = TypeVar("M", bound=BaseModel)


class Invalid(ScannerError, ValueError):
    """A validator's finding: ``message`` about the key ``at`` below the validated one.

    The message follows the key, directly when it starts with a verb ("'k' must be ...", "'k' matches
    ..."), else after a colon ("'k': unknown label 'X'"). With ``noun`` the noun leads and the message
    follows the key: "unknown category 'k' (expected ...)".
    """

    def __init__(self, message: str, *at: str | int, noun: str = "") -> None:
        super().__init__(message)
        self.message, self.at, self.noun = message, at, noun


class Section(BaseModel):
    """One mapping of a config file: unknown keys are errors, types are strict."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @classmethod
    def item_name(cls, raw: Any, key: str | int | None) -> str | None:
        """How an error at ``key`` of this item of a list names the item; None: by its index."""
        return None


def validate(model: type[M], data: dict[str, Any], path: str | Path) -> M:
    """``data`` (a file's YAML) as ``model``, or a one-line ConfigError naming ``path`` and the key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc, model, data)}".replace("\n", " ")) from None


_FIRST = {"unknown": 0, "missing": 1}  # by the message's first word; then the rest in pydantic's order


def describe(exc: ValidationError, model: type[BaseModel], data: Any) -> str:
    """One problem of ``exc`` in words: "'key.sub[0]' must be ..." (see ``Invalid``). The one at the
    shallowest key; at one depth an unknown key (or category), then a missing one, then the others."""
    problems = []
    for err in exc.errors():
        error = (err.get("ctx") or {}).get("error")
        loc = tuple(err["loc"]) + (error.at if isinstance(error, Invalid) else ())
        key, fields = _key_path(model, data, loc)
        noun, message = (error.noun, error.message) if isinstance(error, Invalid) else _words(err, fields)
        depth = len(loc) - (loc[-1:] == ("[key]",))  # a mapping's key is as deep as the mapping's keys
        problems.append(((depth, _FIRST.get(noun.split(" ")[0], 2)), key, noun, message))
    _, key, noun, message = min(problems, key=lambda problem: problem[0])
    if noun:
        return f"{noun} '{key}'{message}"
    if not key:
        return message
    return f"'{key}' {message}" if message.startswith(("must ", "matches ")) else f"'{key}': {message}"


_TYPE_NAMES = {"dict_type": "a mapping", "model_type": "a mapping", "list_type": "a list"}
_TYPES = {"string_type": "a string", "int_type": "int", "bool_type": "true or false", "float_type": "int or float"}


def _words(err: Any, fields: tuple[str, ...]) -> tuple[str, str]:
    """(noun, message) for one of pydantic's own errors."""
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        return "unknown key", f" (expected one of: {', '.join(sorted(fields))})"
    if kind == "missing":
        return "missing key", ""
    if kind in _TYPE_NAMES:
        return "", f"must be {_TYPE_NAMES[kind]}, got {type(value).__name__}"
    if kind in _TYPES:
        return "", f"must be {_TYPES[kind]}, got {value!r}"
    if kind == "greater_than_equal":
        return "", f"must be >= {err['ctx']['ge']}, got {value!r}"
    return "", str(err["msg"])


def _unwrap(node: Any) -> Any:
    while get_origin(node) is Annotated:
        node = get_args(node)[0]
    return node


def _key_path(model: type[BaseModel], data: Any, loc: tuple[Any, ...]) -> tuple[str, tuple[str, ...]]:
    """The YAML key for a pydantic ``loc`` ("tiers.3.name", "custom[emp].pattern"), and the keys
    of the last mapping it passes (for "expected one of"). ``data`` is the raw YAML, for item names."""
    out = ""
    fields: tuple[str, ...] = ()
    node: Any = model  # a type annotation, walked down with loc
    for i, part in enumerate(loc):
        if part == "[key]":  # the problem is a mapping's key itself
            break
        node, below = _unwrap(node), loc[i + 1] if i + 1 < len(loc) else None
        if get_origin(node) is list:
            raw = data[part] if isinstance(data, list) and isinstance(part, int) and part < len(data) else None
            item = _unwrap(get_args(node)[0])
            name = item.item_name(raw, below) if isinstance(item, type) and issubclass(item, Section) else None
            out += f"[{part if name is None else name}]"
            node, data = item, raw
            continue
        if isinstance(node, type) and issubclass(node, BaseModel):
            fields = tuple(node.model_fields)
            field = node.model_fields.get(part)
            node = field.annotation if field is not None else Any
        else:  # a mapping's value
            node = get_args(node)[1] if get_origin(node) is dict else Any
        out += f".{part}" if out else str(part)
        data = data.get(part) if isinstance(data, dict) else None
    return out, fields


# --------------------------------------------------------------------------------------------------
# Field types shared by the files


def one_of(choices: Iterable[str], what: str, *, key: bool = False, expected: str = "one of") -> Callable[[Any], str]:
    """A validator of a string among ``choices``; else "'k': unknown <what> 'x' (expected one of: ...)",
    or for a mapping's ``key``, "unknown <what> 'k' (expected one of: ...)"."""
    allowed = tuple(choices)
    listed = f"(expected {expected}: {', '.join(allowed)})"

    def check(value: Any) -> str:
        if isinstance(value, str) and value in allowed:
            return value
        if key:
            raise Invalid(f" {listed}", noun=f"unknown {what}")
        raise Invalid(f"unknown {what} {value!r} {listed}")

    return check


def _regex(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a string, got {value!r}")
    try:
        re.compile(value)
    except re.error as exc:
        raise Invalid(f"invalid regex ({exc})") from None
    return value


def _fraction(*, open_low: bool) -> Callable[[Any], float]:
    bounds = "(0, 1]" if open_low else "[0, 1]"

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"must be int or float, got {value!r}")
        if not (0 < value <= 1 if open_low else 0 <= value <= 1):
            raise Invalid(f"must be in {bounds}, got {value!r}")
        return float(value)

    return check


Label = Annotated[str, PlainValidator(one_of(LABELS, "label"))]
Regex = Annotated[str, PlainValidator(_regex)]  # a Python regex that compiles
Unit = Annotated[float, PlainValidator(_fraction(open_low=False))]  # a score in [0, 1]
Share = Annotated[float, PlainValidator(_fraction(open_low=True))]  # in (0, 1]: a share or a score of a hit
Count = Annotated[int, Field(ge=1)]
# `key:` with nothing after it is YAML's null: for a list, an empty one.
EMPTY_IF_NONE = BeforeValidator(lambda value: [] if value is None else value)
