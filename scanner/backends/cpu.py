"""Which precision ``--precision auto`` runs on a CPU: int8 or fp32, from the CPU's instruction-set flags.

Per-token int8 (``scanner.quantize``) is ONNX Runtime's ``DynamicQuantizeMatMul``/``MatMulInteger``
path: its u8 x s8 GEMMs are fast where the CPU multiplies bytes in one instruction (AVX-512 VNNI,
AVX-VNNI, AMX-INT8) and gain little over fp32 elsewhere, while per-token quantization adds work of
its own (row scales, per-axis quantize, an unfused bias). The rule, deterministic and cheap:

* flags read (Linux ``/proc/cpuinfo`` ``flags``: x86) and one of ``INT8_FLAGS`` present: int8;
* flags read and none of them (AVX2 or older AVX-512 without VNNI): fp32;
* flags not readable (macOS, Windows, ARM's ``Features`` line): int8, as before this rule.

The measurements behind it are in benchmarks/README.md ("Measurements behind code defaults").
"""

from __future__ import annotations

from pathlib import Path

# Any of these makes int8 GEMMs fast (one instruction for a u8 x s8 dot product with accumulate).
INT8_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    """The x86 CPU flags of the first processor in ``cpuinfo``, or None where there is no such line."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() == "flags":
                    return frozenset(value.split())
    except OSError:
        return None
    return None


def cpu_precision(flags: frozenset[str] | set[str] | None) -> tuple[str, str]:
    """``(precision, why)`` for ``--precision auto`` on a CPU with these flags (``cpu_flags()``)."""
    if flags is None:
        return "int8", "CPU flags not readable here: int8, the fastest CPU path measured"
    fast = sorted(INT8_FLAGS & set(flags))
    if fast:
        return "int8", f"CPU has {', '.join(fast)}: int8 measured 1.9x fp32 on such a CPU"
    return "fp32", ("CPU lacks VNNI and AMX (avx512_vnni, avx_vnni, amx_int8): int8 gains little over "
                    "fp32 there, and fp32 is exact")
