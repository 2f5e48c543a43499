"""What the benchmark scripts in ``benchmarks/`` share (they put ``benchmarks/`` on ``sys.path``).

* ``configs``: the configurations ``run.py`` can benchmark and the default selections;
* ``corpus``: the shared held-out corpus, its token counts and window lengths;
* ``machine``: facts about the machine (CPU model and flags, GPUs, versions) and process measurements
  (peak RSS, GPU memory);
* ``prepare``: what happens before anything is timed (frozen code and model, ONNX exports);
* ``worker``: one (config, round) in its own process, and the parent's side that starts it;
* ``report``: medians, spreads, ratios and the tables and chart of ``run.py``;
* ``results``: the one writer of ``benchmarks/results/<name>-<machine>-<UTC time>.{json,md}``.
"""
