"""Document-level signals computed from the text alone: marker phrases and code-likeness.

Entity spans say *who* is in a document; these signals say *what kind* of document it is (a privileged
memo, a classified cable, a source file). The phrases live in ``configs/policy.yaml``, not here; this
module only compiles and runs them. Everything is precompiled and linear in the text length, because
it runs on every document of the corpus, some of them megabytes long.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MarkerRule:
    """One compiled marker: a phrase or regex whose presence says something about the whole document."""

    category: str
    name: str  # shown in reasons; never the matched text
    regex: re.Pattern[str]
    weight: int = 1
    # Checked after the match: lookarounds in the regex would defeat sre's literal-prefix search.
    word_boundary: bool = True
    # When True, ``regex`` is case-sensitive and runs on ``text.lower()``: a case-insensitive pattern
    # with no upper-case letters finds the same matches there, several times faster than re.IGNORECASE
    # (benchmarks/README.md, "Measurements behind code defaults").
    on_lowered: bool = False


@dataclass(frozen=True, slots=True)
class Marker:
    """One marker occurrence: a half-open ``str`` offset range, like a Span."""

    category: str
    marker_name: str
    start: int
    end: int


def compile_marker(
    category: str,
    name: str,
    pattern: str,
    *,
    regex: bool = False,
    case_sensitive: bool = False,
    word_boundary: bool = True,
    weight: int = 1,
) -> MarkerRule:
    """Build a MarkerRule; a plain phrase matches any run of whitespace where it has a space.

    Raises ``re.error`` on a bad regex; the policy loader turns that into a ConfigError with the key.
    """
    if not regex:
        words = pattern.split() if case_sensitive else pattern.lower().split()
        pattern = r"\s+".join(re.escape(word) for word in words)
    # An upper-case letter in a regex may be syntax (\S, \W, \B): leave those to re.IGNORECASE.
    on_lowered = not case_sensitive and pattern == pattern.lower()
    flags = re.MULTILINE if case_sensitive or on_lowered else re.MULTILINE | re.IGNORECASE
    return MarkerRule(category, name, re.compile(pattern, flags), weight, word_boundary, on_lowered)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _at_boundary(text: str, start: int, end: int) -> bool:
    """The match neither starts nor ends inside a word (so phrases edged with punctuation work too)."""
    if start > 0 and _is_word(text[start - 1]) and _is_word(text[start]):
        return False
    if end < len(text) and _is_word(text[end]) and _is_word(text[end - 1]):
        return False
    return True


def find_markers(text: str, markers: Iterable[MarkerRule]) -> list[Marker]:
    """Every occurrence of every marker, sorted by position; one regex pass over the text per marker."""
    found: list[Marker] = []
    lowered: str | None = None
    for rule in markers:
        search = rule.regex.search
        haystack = text
        if rule.on_lowered:
            if lowered is None:
                lowered = text.lower()
                if len(lowered) != len(text):  # 'İ' lower-cases to two chars: offsets would drift
                    lowered = ""
            if lowered:
                haystack = lowered
            else:
                search = re.compile(rule.regex.pattern, rule.regex.flags | re.IGNORECASE).search
        pos = 0
        while (m := search(haystack, pos)) is not None:
            start, end = m.span()
            if end > start and (not rule.word_boundary or _at_boundary(text, start, end)):
                found.append(Marker(rule.category, rule.name, start, end))
                pos = end
            else:
                pos = start + 1  # a rejected match may hide a valid one starting later inside it
    found.sort(key=lambda mk: (mk.start, mk.end))
    return found


# --------------------------------------------------------------------------------------------------
# Source code


@dataclass(frozen=True, slots=True)
class CodeSettings:
    """Knobs for ``looks_like_source_code``; loaded from the ``source_code`` section of the policy."""

    enabled: bool = True
    min_code_lines: int = 3  # a two-line snippet in an email is not a source file
    min_code_share: float = 0.4  # of the lines that are neither blank nor neutral (comments, braces)
    max_lines: int = 2000  # only the head of the document is sampled: enough to judge, and bounded
    config_as_code: bool = False  # count `key = value` / `key: value` / `[section]` lines as code
    # Code examples of documentation (markdown fences, reST literal blocks, POD verbatim paragraphs)
    # count as code only when the document has little prose around them.
    examples_are_code: bool = False
    min_prose_lines: int = 5


# Lines that are code in any of the usual languages. Keywords are matched case-sensitively and with
# the syntax that follows them, so a wrapped prose line starting with "for" or "let" does not count.
# All patterns are anchored and free of nested quantifiers: linear per line.
_CODE_LINE = re.compile(
    r"""^(?:
        (?:async\s+)?def\s+\w+\s*\(                                   # python def
      | class\s+\w+\s*(?:\(.*\))?\s*:$                                # python class
      | (?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+\w+.*\{$   # brace-language class
      | from\s+[\w.]+\s+import\s                                      # python import
      | import\s+[\w.]+(?:\s*,\s*[\w.]+)*(?:\s+as\s+\w+)?;?$            # python / java import
      | import\s+(?:[\w*{}, ]+\s+from\s+)?['"]                          # js / ts import
      | (?:try|else|finally)\s*:$                                       # python block headers
      | (?:if|elif|while|with|except)\b[^!?]*:$
      | for\s+\w+(?:\s*,\s*\w+)*\s+in\s.*:$
      | (?:return|yield|raise|throw)(?:;|\s+[^.!?]*[\w)\]}'";])?$         # flow keywords
      | (?:break|continue|pass);?$
      | (?:assert|del|global|nonlocal)\s+\w                        # python statements
      | [\w.\[\], ]+\s*(?:[-+*/%|&^]|\*\*|//)?=\s*(?:lambda\b|.*(?:\w\(|\w\[))  # x = f(y) / x = y[0]
      | (?:export\s+)?(?:async\s+)?function\b\s*\*?\s*\w*\s*\(          # js function
      | (?:export\s+)?(?:const|let|var)\s+[\w${}\[\], ]+(?::\s*[\w<>\[\]|. ]+)?\s*[=;]  # js decls
      | (?:public|private|protected|static|final|override|internal)\s+[\w<>\[\], ]+
          (?:\(.*\)\s*(?:\{|;|throws\b.*)?|\s*[;=].*;)$                  # java / c# / kotlin
      | (?:package|namespace)\s+[\w.:]+\s*[;{]?$                         # go / java / c#
      | using\s+[\w.]+;$
      | func\s+(?:\(.*\)\s*)?\w+\s*\(                                  # go
      | (?:pub(?:\(\w+\))?\s+)?(?:fn\s+\w+|impl\b.*\{$|(?:struct|enum|trait)\s+\w+.*[{;]$)  # rust
      | (?:mod|use)\s+[\w:{}, *]+;$
      | (?:interface|type)\s+\w+.*(?:\{|=.*;?)$                            # ts / go types
      | \w+:\s*[\w.\[\]| ]+(?:\s*=\s*[^,]+)?,\s*(?:\#.*)?$               # typed parameter: x: int = 0,
      | @\w+(?:\(.*\))?$                                               # decorators / annotations
      | [\w.$\[\]'"]+\s*(?:[-+*/%|&^]|<<|>>)?=\s*[^=\s].*;$                # assignment ending in ;
      | [\w.$]+\(.*\)\s*;?(?:\s+(?:\#|//).*)?$                            # a bare call: foo(x, y)
      | \w+:\s*[\w.\[\]|, ]+=\s*\S                                      # typed attribute: x: int = 0
      | (?:sudo|apt-get|pip3?\s+install|npm\s+(?:install|run)|cd\s+[/~.$]|set\s+-[a-z]+\b)  # shell
    )""",
    re.VERBOSE,
)
# Operators and accessors that prose practically never uses.
_CODE_TOKENS = re.compile(
    r"=>|===|!==|&&|\|\||\w::\w|\+\+|\+=|-=|!=|==|\)\s*\{|\b(?:self|this)\.\w|->\w|\)\s*->\s*[\w\[]|\w\[\w*\]\s*="
)
# A line ending the way statements and blocks end: an opening bracket or `=` (continued on the next
# line), `);`, or `;` after a call or assignment. A prose line may end in ";", so that alone is not enough.
_CODE_ENDING = re.compile(r"(?:[{(\[=]|\);)\s*$|^\S+;$|[(=].*;\s*$")
_PREPROCESSOR = re.compile(r"#\s*(?:include|define|undef|ifn?def|if|elif|else|endif|pragma)\b")
_TRIPLE_QUOTES = re.compile(r'"""|\'\'\'')
# Neither code nor prose: comments, lone brackets, separator rules. Left out of the share.
_NEUTRAL_LINE = re.compile(r"^(?:#(?!!)|//|/\*|\*|--\s|<!--|[{}\[\]()]{1,3}[;,]?$|[-=_*#~]{3,}$)")
# Data, not code: JSON "key": value lines, JSON-lines records, YAML/markdown list items, mail and
# package-metadata headers, requirement pins (pkg==1.2).
_DATA_LINE = re.compile(
    r"""^(?:"[^"]*"\s*:|\{\s*"[^"]*"\s*:.*\}\s*,?$|-\s
      |[A-Z]\w*(?:-[A-Z]\w*)+:\s
      |(?:From|To|Cc|Bcc|Subject|Date|Sent|Classifier|Summary|Version|Name|Author|License|Keywords):\s
      |[A-Za-z][\w.\-]*(?:\[[\w,\-]+\])?\s*(?:[=!<>~]=|[<>])\s*[\w.*+!\-]+(?:\s*,\s*(?:[=!<>~]=|[<>])\s*[\w.*+!\-]+)*\s*(?:[;\#].*)?$
    )""",
    re.VERBOSE,
)
_DOCSTRING_START = re.compile(r"""^[rRbBuUfF]{0,2}(?:\"\"\"|\'\'\')""")
# Config lines: key = value, key: value, [section]. Code only when the policy says so.
_CONFIG_LINE = re.compile(r"^(?:\[[\w .\-\"]+\]$|[\w.\-]+\s*=\s*[^\s(=][^()]*$|[a-z_][\w.\-]*:\s+[^()]*[^.!?]$)")
_SHEBANG = re.compile(r"#![ \t]*/[\w/.\-]*(?:env[ \t]+)?\w+")
_DELIMITERS = (",", ";", "\t", "|")


_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)")
_REST_CODE = re.compile(r"^\s*\.\. (?:code-block|code|sourcecode|highlight|doctest)::|::\s*$")
_POD = re.compile(r"^=(?:head\d|pod|item|over|back|begin|end|for|encoding)\b")


def example_lines(parts: list[str]) -> set[int]:
    """Indices of the lines that are code examples of documentation: inside markdown fences, in a
    reST literal block (indented, after a line ending in ``::`` or a code directive), or a POD
    verbatim paragraph (indented, between a POD command and `=cut`)."""
    out: set[int] = set()
    fence = literal = pod = False
    base = 0
    for i, line in enumerate(parts):
        if line.startswith("="):  # POD: its verbatim paragraphs run from a command to `=cut`
            pod = bool(_POD.match(line))
        if _FENCE.match(line):
            out.add(i)
            fence = not fence
            continue
        if fence:
            out.add(i)
            continue
        indent = len(line) - len(line.lstrip())
        if literal:
            if not line.strip() or indent > base:
                out.add(i)
                continue
            literal = False
        if _REST_CODE.search(line):
            literal, base = True, len(line) - len(line.lstrip())
        elif pod and indent and line.strip():
            out.add(i)
    return out if not fence else set()  # an unclosed fence: not markdown after all


def _looks_tabular(lines: list[str]) -> bool:
    """CSV/TSV dumps: most lines carry the same (>= 2) number of one delimiter."""
    if len(lines) < 3:
        return False
    for delim in _DELIMITERS:
        counts = Counter(line.count(delim) for line in lines)
        count, n = counts.most_common(1)[0]
        if count >= 2 and n >= 0.6 * len(lines):
            return True
    return False


def looks_like_source_code(text: str, settings: CodeSettings | None = None) -> bool:
    """Cheap heuristic: is a large enough share of the lines code syntax?

    Prose, CSV/TSV and JSON dumps stay below the share: their lines carry no keywords, no statement
    endings and no code operators. Config files (INI/TOML/YAML/.env) are not code unless
    ``config_as_code``: a key/value line cannot be told apart from a data export, and a secret in a
    config file is caught by the SECRET/PASSWORD detectors anyway.
    """
    settings = settings or CodeSettings()
    if not settings.enabled:
        return False
    head = text.lstrip("\ufeff")[:2048].lstrip()
    if _SHEBANG.match(head):
        return True
    parts = text.split("\n", settings.max_lines)
    if len(parts) > settings.max_lines:
        parts.pop()  # the unsplit rest of a long document
    if not settings.examples_are_code:
        examples = example_lines(parts)
        prose = sum(1 for i, p in enumerate(parts) if i not in examples and p.strip())
        if examples and prose >= settings.min_prose_lines:
            parts = [p for i, p in enumerate(parts) if i not in examples]
    lines = [s for s in (p.strip() for p in parts) if s]
    if not lines or _looks_tabular(lines):
        return False

    code = counted = 0
    prev_code = in_docstring = False
    share, min_lines = settings.min_code_share, settings.min_code_lines
    for i, (raw, line) in enumerate(zip((p for p in parts if p.strip()), lines)):
        # Stop once the rest of the lines cannot change the answer (the same answer, sooner):
        # even if all of them were code the share stays short, or even if none were it stays met.
        left = len(lines) - i
        if code + left < min_lines or (code + left) / (counted + left) < share:
            return False
        if code >= min_lines and code / (counted + left) >= share:
            return True
        # Python docstrings are prose inside code: neutral, like comments. `x = """` still counts.
        if len(_TRIPLE_QUOTES.findall(line)) % 2 == 1:
            in_docstring = not in_docstring
            if not in_docstring or _DOCSTRING_START.match(line):
                continue
        elif in_docstring or _DOCSTRING_START.match(line):
            continue
        if len(line) > 400:  # a paragraph of prose, or minified code: judge by its tokens alone
            is_code = len(_CODE_TOKENS.findall(line, 0, 4000)) >= 5
        elif _PREPROCESSOR.match(line):
            is_code = True
        elif _NEUTRAL_LINE.match(line):
            continue
        elif _DATA_LINE.match(line):
            is_code = False
        elif _CODE_LINE.match(line) or _CODE_TOKENS.search(line) or _CODE_ENDING.search(line):
            is_code = True
        elif _CONFIG_LINE.match(line):
            is_code = settings.config_as_code
        else:
            # An indented line with no sentence ending, right under a code line, continues its block.
            is_code = prev_code and raw[:1] in (" ", "\t") and not line.endswith((".", "?", "!", '"'))
        counted += 1
        code += is_code
        prev_code = is_code
    if code < settings.min_code_lines or counted == 0:
        return False
    return code / counted >= settings.min_code_share
