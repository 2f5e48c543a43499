"""Per-token int8 for the CPU: a rewrite of the fp32 ONNX graph whose results do not depend on the batch.

ONNX Runtime's dynamic quantization (``quantize_dynamic``) gives each MatMul's activations *one* scale
per call: the largest value in the whole batch, padding included. A document's findings then depend on
which other windows share its batch (shard size, worker count, what else is in the corpus): on 600
short held-out documents, 3.4% of exact spans differed from fp32 and 3.3% moved between shard sizes 18
and 1024. ONNX Runtime has no per-row dynamic quantization, so this module builds it from standard
operators. For every MatMul whose second input is a weight matrix ``W [K, N]``:

* ``W`` is quantized once, per output column, symmetric int8 (scale ``max|W[:, j]| / 127``);
* the activation ``X [..., K]`` is quantized at run time *per row* (one token's hidden vector),
  symmetric: scale ``s = max|x| / 127``, stored as uint8 with zero point 128 (the u8 x s8 form that
  MLAS runs on VNNI/AMX); ``QuantizeLinear`` with a per-axis scale does it in one pass;
* ``MatMulIntegerToFloat`` (ONNX Runtime's contrib op) multiplies in int32 and applies the weight
  scales; one ``Mul`` applies the row scales.

A token's quantized input depends only on its own values, so a window gives the same logits whether
it is scanned alone or beside others. MatMuls that read the same tensor (a layer's query, key and
value projections) share one quantized copy. The attention score MatMuls (activation x activation)
stay fp32, as in the dynamic recipe. Measured on the project's CPU: see ``benchmarks/onnx_cpu.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

MS_DOMAIN = "com.microsoft"
_EPS = 1e-8  # the smallest activation scale: an all-zero row quantizes to zeros instead of dividing by 0


class _Rewriter:
    """Collects the new nodes and initializers of one rewrite."""

    def __init__(self) -> None:
        from onnx import helper

        self.helper = helper
        self.nodes: list = []
        self.inits: list = []
        self.quantized: dict[str, tuple[str, str, str]] = {}  # tensor -> (uint8 rows, row scales, leading shape)

    def const(self, name: str, value) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [output], **attrs))
        return output

    def constants(self) -> None:
        self.const("ptq_eps", np.array(_EPS, np.float32))
        self.const("ptq_inv127", np.array(1 / 127, np.float32))
        self.const("ptq_zero", np.array(0, np.float32))
        self.const("ptq_128", np.array(128, np.float32))
        self.const("ptq_one", np.array(1, np.float32))
        self.const("ptq_zp128", np.array(128, np.uint8))
        self.const("ptq_axis1", np.array([1], np.int64))
        self.const("ptq_first", np.array([0], np.int64))
        self.const("ptq_last", np.array([-1], np.int64))

    def quantize_rows(self, x: str, k: int, p: str) -> tuple[str, str, str]:
        """``x [..., k]`` as uint8 rows ``[M, k]`` (zero point 128), their scales ``[M, 1]`` and ``x``'s
        leading dimensions; made once per tensor however many MatMuls read it."""
        from onnx import TensorProto

        if x in self.quantized:
            return self.quantized[x]
        n = self.node
        rows = n("Reshape", [x, self.const(p + "rows_shape", np.array([-1, k], np.int64))], p + "rows")
        # max |x| per row without materialising |x|: max(max x, -min x)
        hi = n("ReduceMax", [rows], p + "hi", axes=[1], keepdims=0)
        lo = n("Neg", [n("ReduceMin", [rows], p + "lo", axes=[1], keepdims=0)], p + "neg_lo")
        amax = n("Max", [n("Max", [hi, lo], p + "amax"), "ptq_eps"], p + "amax_eps")
        scale = n("Mul", [amax, "ptq_inv127"], p + "scale")
        zp = n("Cast", [n("Add", [n("Mul", [scale, "ptq_zero"], p + "z0"), "ptq_128"], p + "z128")],
               p + "zp", to=TensorProto.UINT8)
        q = n("QuantizeLinear", [rows, scale, zp], p + "q", axis=0)
        col = n("Unsqueeze", [scale, "ptq_axis1"], p + "scale_col")
        lead = n("Slice", [n("Shape", [x], p + "shape"), "ptq_first", "ptq_last"], p + "lead")
        self.quantized[x] = (q, col, lead)
        return self.quantized[x]

    def matmul(self, x: str, weight: np.ndarray, out: str, p: str) -> None:
        """``out = x @ weight`` with per-channel int8 weights and per-row int8 activations."""
        w = weight.astype(np.float32)
        w_scale = np.abs(w).max(axis=0) / 127
        w_scale[w_scale == 0] = 1.0  # an all-zero column: any scale gives zeros
        w_q = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
        q, col, lead = self.quantize_rows(x, w.shape[0], p)
        y = self.node("MatMulIntegerToFloat", [q, self.const(p + "w_q", w_q), "ptq_one",
                                                self.const(p + "w_scale", w_scale.astype(np.float32)),
                                                "ptq_zp128"], p + "y", domain=MS_DOMAIN)
        y = self.node("Mul", [y, col], p + "y_scaled")
        shape = self.node("Concat", [lead, self.const(p + "n", np.array([w.shape[1]], np.int64))],
                          p + "out_shape", axis=0)
        self.node("Reshape", [y, shape], out)


def quantize_per_token(src: Path | str, dst: Path | str) -> dict:
    """Write ``dst``: the fp32 graph ``src`` with every weight MatMul in per-token int8. Returns facts
    for ``export.json``. Raises ``ValueError`` when the graph has no such MatMul."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    rw = _Rewriter()
    rw.constants()
    replaced: list[str] = []
    for node in graph.node:
        w = weights.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or len(w.dims) != 2:
            rw.nodes.append(node)
            continue
        rw.matmul(node.input[0], numpy_helper.to_array(w), node.output[0], f"ptq{len(replaced)}_")
        replaced.append(node.output[0])
    if not replaced:
        raise ValueError(f"{src}: no MatMul with a weight matrix to quantize")
    used = {i for n in rw.nodes for i in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    # The outputs' shapes as the fp32 graph had them: a Reshape to a computed shape hides the rank
    # from ONNX Runtime's shape inference, and its fusions (BiasGelu) need it.
    inferred = {v.name: v for v in onnx.shape_inference.infer_shapes(
        onnx.load(str(src), load_external_data=False)).graph.value_info}
    del graph.node[:]
    graph.node.extend(rw.nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + rw.inits)
    graph.value_info.extend(inferred[o] for o in replaced if o in inferred)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(onnx.helper.make_opsetid(MS_DOMAIN, 1))
    onnx.save(model, str(dst))
    return {"quantization": "per-token int8: symmetric per-row activation scales (batch-independent), "
                            "per-channel QInt8 weights, fp32 embeddings and attention scores",
            "quantized_matmuls": len(replaced), "quantized_inputs": len(rw.quantized)}
