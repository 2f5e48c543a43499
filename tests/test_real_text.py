"""The shipped model on the kinds of real text it once failed on (hand-written here, not from any
held-out source): markup, shell sessions and code hold no identifiers; names are still found."""

from __future__ import annotations

import pytest

from scanner.records import Document

SOFT = {"PERSON", "ORGANIZATION", "LOCATION", "DATE", "URL"}

MARKDOWN = """\
# fastgrep

A tiny grep clone. Install it with pip and run the tests with pytest:

```console
$ pip install fastgrep
$ python -m pytest -q
.......                                                    [100%]
7 passed in 0.12s
```

| option | default | meaning |
|--------|---------|---------|
| `-i`   | off     | ignore case |
| `-n`   | off     | print line numbers |

Configuration lives in `pyproject.toml` under `[tool.fastgrep]`; encodings such as cp1252 and
iso8859-1 are detected. See `AWS::EC2::Instance` for the CloudFormation example.
"""

REST = """\
Usage
=====

Call ``compile(pattern)`` once and reuse it:

.. code-block:: python

    squares = map(lambda x: x ** 2, values)
    print(sorted(squares))

Errors
------

``OSError: [Errno 111] Connection refused`` means the server is down::

    Traceback (most recent call last):
      File "app.py", line 3, in <module>
        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
"""

TABLE = """\
+------------+----------+-----------+
| Name       | Type     | Default   |
+============+==========+===========+
| timeout    | float    | 30.0      |
+------------+----------+-----------+
| retries    | int      | 3         |
+------------+----------+-----------+
"""


def findings(scanner, text: str):
    (res,) = scanner.scan_shard([Document("d", "t", text)])
    return res, [(s.label, text[s.start:s.end]) for s in res.spans]


HASHES = """\
Verify the download before installing it:

    $ sha256sum fastgrep-2.1.0.tar.gz
    9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  fastgrep-2.1.0.tar.gz

If the mirror answers [Errno 111] Connection refused, retry later. Talks about it were given at
#PyConUS and #EuroPython; slides are in the docs folder (commit 3f9a1c2e, tag v2.1.0).
"""


@pytest.mark.parametrize("text", [MARKDOWN, REST, TABLE, HASHES], ids=["markdown", "rest", "table", "hashes"])
def test_technical_markup_holds_no_identifier_or_credential(scanner, text):
    res, found = findings(scanner, text)
    assert [f for f in found if f[0] not in SOFT] == []
    assert res.tier <= 2 and "credentials" not in res.categories and "pii" not in res.categories


def test_a_news_paragraph_naming_public_people_is_public(scanner):
    text = ("Federal Reserve Chair Jerome Powell told reporters in Washington on Wednesday that the "
            "central bank would keep interest rates unchanged. European Central Bank President "
            "Christine Lagarde made similar remarks in Frankfurt.")
    res, found = findings(scanner, text)
    assert ("PERSON", "Jerome Powell") in found and ("PERSON", "Christine Lagarde") in found
    assert (res.tier, res.categories) == (1, ["public"])


def test_a_maintainer_trailer_keeps_name_and_email(scanner):
    text = "  * Fix the build with newer compilers.\n\n -- Maria Jansen <maria.jansen@example.org>  Mon, 02 Mar 2026 10:00:00 +0100\n"
    res, found = findings(scanner, text)
    assert ("PERSON", "Maria Jansen") in found and ("EMAIL", "maria.jansen@example.org") in found
    # Found (so --redact hides them), but a published changelog's trailer is a credit: no category.
    assert res.tier == 1 and res.categories == ["public"]


def test_a_clinical_note_redacts_every_mention(scanner):
    text = ("Patient: Chidi Okafor, seen on 3 March for chest pain.\n"
            "Plan: Dr. Lee to review the ECG with Mr. Okafor next week; Okafor agrees.")
    res, found = findings(scanner, text)
    okafor = [s for s in res.spans if text[s.start:s.end] == "Okafor"]
    assert len(okafor) == 2 and res.tier == 3 and "phi" in res.categories
