"""Exact simplifications of the OCR models' graphs, so that onnxruntime runs fewer operators.

PP-OCRv4's detector and recogniser (PPLCNetV3 backbone) follow each convolution with a learnable
affine block (a·x + b, two scalars), a hard-swish written as four operators (x·clip(x + 3, 0, 6) / 6)
and a second affine block: eight element-wise passes over the largest tensors per convolution,
about half of the time onnxruntime spent on a line (benchmarks/ocr_speed.py). `fuse` rewrites them;
every rewrite is an identity of real arithmetic, so only rounding changes (the models' outputs
differ by about 1e-6; tests/test_ocr.py compares the fused and the shipped models):

* Conv → Mul(a) → Add(b): folded into the convolution (weights · a, bias · a + b);
* Add(3) → Clip(0, 6) → Mul(x, ·) → Div(6): x · HardSigmoid(x; 1/6, 1/2), a pair onnxruntime
  fuses into the convolution before it (opset 12 has no HardSwish);
* Mul(a) → Add(b) → Conv: `a` folded into the convolution's weights; `b` into its bias when the
  convolution pads nothing, else kept in front of it as x + b/a (a padded border is zeros, not b),
  written as a BatchNormalization that adds b/a (onnxruntime runs that in its blocked layout).

A value is folded only where its one consumer is the next operator of the pattern. The models are
read and written with the few messages of onnx.proto declared here (protobuf is onnxruntime's own
dependency; the onnx package is not needed); fields not declared are carried through unread.
A graph without these patterns, with subgraphs, or of an IR version before 4 comes back unchanged.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np

VERSION = 1  # part of the OCR cache's key (screening/parsers/ocr.py): bump when a rewrite changes
FLOAT = 1  # TensorProto.DataType.FLOAT
ATTR_FLOAT, ATTR_TENSOR, ATTR_GRAPH, ATTR_GRAPHS = 1, 4, 5, 10  # AttributeProto.AttributeType


@functools.cache
def _model_class() -> Any:
    """ModelProto with the fields this module reads (numbers and types as in onnx.proto)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    one, many = field.LABEL_OPTIONAL, field.LABEL_REPEATED
    messages: dict[str, list[tuple[str, int, int, int, str]]] = {
        "TensorProto": [("dims", 1, field.TYPE_INT64, many, ""), ("data_type", 2, field.TYPE_INT32, one, ""),
                        ("float_data", 4, field.TYPE_FLOAT, many, ""), ("name", 8, field.TYPE_STRING, one, ""),
                        ("raw_data", 9, field.TYPE_BYTES, one, ""), ("data_location", 14, field.TYPE_INT32, one, "")],
        "AttributeProto": [("name", 1, field.TYPE_STRING, one, ""), ("f", 2, field.TYPE_FLOAT, one, ""),
                           ("i", 3, field.TYPE_INT64, one, ""), ("s", 4, field.TYPE_BYTES, one, ""),
                           ("t", 5, field.TYPE_MESSAGE, one, "TensorProto"),
                           ("ints", 8, field.TYPE_INT64, many, ""), ("type", 20, field.TYPE_INT32, one, "")],
        "NodeProto": [("input", 1, field.TYPE_STRING, many, ""), ("output", 2, field.TYPE_STRING, many, ""),
                      ("name", 3, field.TYPE_STRING, one, ""), ("op_type", 4, field.TYPE_STRING, one, ""),
                      ("attribute", 5, field.TYPE_MESSAGE, many, "AttributeProto"),
                      ("domain", 7, field.TYPE_STRING, one, "")],
        "ValueInfoProto": [("name", 1, field.TYPE_STRING, one, "")],
        "GraphProto": [("node", 1, field.TYPE_MESSAGE, many, "NodeProto"),
                       ("initializer", 5, field.TYPE_MESSAGE, many, "TensorProto"),
                       ("output", 12, field.TYPE_MESSAGE, many, "ValueInfoProto")],
        "ModelProto": [("ir_version", 1, field.TYPE_INT64, one, ""), ("graph", 7, field.TYPE_MESSAGE, one, "GraphProto")],
    }
    proto = descriptor_pb2.FileDescriptorProto(name="screening_onnx_subset.proto", package="screening_onnx",
                                               syntax="proto2")
    for name, fields in messages.items():
        message = proto.message_type.add(name=name)
        for field_name, number, kind, label, type_name in fields:
            declared = message.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                declared.type_name = f".screening_onnx.{type_name}"
            if field_name == "float_data":
                declared.options.packed = True  # as onnx.proto declares it
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("screening_onnx.ModelProto"))


def _array(tensor: Any) -> np.ndarray | None:
    """A float tensor's values (None for other types and for data stored outside the model)."""
    if tensor.data_type != FLOAT or tensor.data_location != 0:
        return None
    dims = [int(d) for d in tensor.dims]
    values = (np.frombuffer(tensor.raw_data, dtype="<f4") if tensor.raw_data
              else np.asarray(tensor.float_data, dtype=np.float32))
    if values.size != int(np.prod(dims, dtype=np.int64)):
        return None
    return values.astype(np.float32).reshape(dims)


class _Graph:
    """The graph's nodes with their constants and consumers, and the rewrites."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.nodes: list[Any] = list(graph.node)
        self.constants: dict[str, np.ndarray] = {}
        for tensor in graph.initializer:
            if (value := _array(tensor)) is not None:
                self.constants[tensor.name] = value
        for node in self.nodes:
            if node.op_type == "Constant" and not node.domain and len(node.output) == 1:
                tensors = [a.t for a in node.attribute if a.name == "value" and a.type == ATTR_TENSOR]
                if len(tensors) == 1 and (value := _array(tensors[0])) is not None:
                    self.constants[node.output[0]] = value
        self.outputs = {value.name for value in graph.output}
        self.removed: set[int] = set()
        self.weights: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id(conv) → its new weights and bias
        self.added: dict[str, np.ndarray] = {}
        self.count = 0

    def live(self) -> Iterator[Any]:
        return (node for node in self.nodes if id(node) not in self.removed)

    def consumers(self) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = defaultdict(list)
        for node in self.live():
            for name in node.input:
                found[name].append(node)
        return found

    def scalar(self, name: str) -> float | None:
        value = self.constants.get(name)
        return float(value.reshape(-1)[0]) if value is not None and value.size == 1 and value.ndim <= 1 else None

    def constant(self, value: np.ndarray, base: str) -> str:
        self.count += 1
        name = f"{base}/fused{self.count}"
        self.added[name] = value.astype(np.float32)
        self.constants[name] = self.added[name]
        return name

    def conv_weights(self, conv: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """A plain float convolution's (weights, bias), the bias zeros when it has none."""
        if id(conv) in self.weights:
            return self.weights[id(conv)]
        if conv.op_type != "Conv" or conv.domain or len(conv.input) < 2:
            return None
        weights = self.constants.get(conv.input[1])
        bias = self.constants.get(conv.input[2]) if len(conv.input) > 2 and conv.input[2] else None
        if weights is None or weights.ndim < 3:
            return None
        if bias is None:
            if len(conv.input) > 2 and conv.input[2]:
                return None  # a bias that is not a constant
            bias = np.zeros(weights.shape[0], dtype=np.float32)
        if bias.shape != (weights.shape[0],):
            return None
        return weights, bias

    def shift(self, node: Any, x: str, value: float, channels: int) -> None:
        """`node` made x + value, as a BatchNormalization (mean 0, variance 1, epsilon 0: exactly
        x·1 + value), which onnxruntime keeps in its blocked layout; an Add would be run after
        converting the tensor out of that layout and back."""
        node.op_type = "BatchNormalization"
        del node.input[:]
        node.input.append(x)
        for role, fill in (("scale", 1.0), ("shift", value), ("mean", 0.0), ("variance", 1.0)):
            node.input.append(self.constant(np.full(channels, fill, dtype=np.float32), f"{node.output[0]}/{role}"))
        epsilon = node.attribute.add()
        epsilon.name, epsilon.type, epsilon.f = "epsilon", ATTR_FLOAT, 0.0

    @staticmethod
    def group(conv: Any) -> int:
        return next((int(a.i) for a in conv.attribute if a.name == "group"), 1) or 1

    @staticmethod
    def pads_nothing(conv: Any) -> bool:
        for attribute in conv.attribute:
            if attribute.name == "pads" and any(attribute.ints):
                return False
            if attribute.name == "auto_pad" and attribute.s not in (b"", b"NOTSET", b"VALID"):
                return False
        return True

    def affine(self, mul: Any, single: dict[str, Any]) -> tuple[float, float, str, Any] | None:
        """Mul(x, a) → Add(·, b) with scalar constants a and b: (a, b, x, the Add)."""
        if mul.op_type != "Mul" or mul.domain or len(mul.input) != 2:
            return None
        scales = [self.scalar(name) for name in mul.input]
        if (scales[0] is None) == (scales[1] is None):
            return None
        a, x = (scales[0], mul.input[1]) if scales[0] is not None else (scales[1], mul.input[0])
        add = single.get(mul.output[0])
        if add is None or add.op_type != "Add" or add.domain or len(add.input) != 2:
            return None
        other = [name for name in add.input if name != mul.output[0]]
        if len(other) != 1 or (b := self.scalar(other[0])) is None or a is None:
            return None
        return a, b, x, add

    def single_consumers(self) -> dict[str, Any]:
        """Value name → its only consumer (values that are graph outputs have none here)."""
        return {name: nodes[0] for name, nodes in self.consumers().items()
                if len(nodes) == 1 and name not in self.outputs}

    # ------------------------------------------------------------ the rewrites

    def fold_affine_after_conv(self) -> None:
        single = self.single_consumers()
        for conv in list(self.live()):
            if conv.op_type != "Conv" or len(conv.output) != 1 or (mul := single.get(conv.output[0])) is None:
                continue
            found, current = self.affine(mul, single), self.conv_weights(conv)
            if found is None or current is None:
                continue
            a, b, _, add = found
            weights, bias = current
            self.weights[id(conv)] = (weights * np.float32(a), bias * np.float32(a) + np.float32(b))
            conv.output[0] = add.output[0]
            self.removed |= {id(mul), id(add)}

    def hard_swish_as_hard_sigmoid(self) -> None:
        single = self.single_consumers()
        for add in list(self.live()):
            if add.op_type != "Add" or add.domain or len(add.input) != 2:
                continue
            threes = [self.scalar(name) == 3.0 for name in add.input]
            if threes.count(True) != 1:
                continue
            x = add.input[threes.index(False)]
            clip = single.get(add.output[0])
            if (clip is None or clip.op_type != "Clip" or len(clip.input) != 3
                    or self.scalar(clip.input[1]) != 0.0 or self.scalar(clip.input[2]) != 6.0):
                continue
            mul = single.get(clip.output[0])
            if mul is None or mul.op_type != "Mul" or sorted(mul.input) != sorted([x, clip.output[0]]):
                continue
            div = single.get(mul.output[0])
            if div is None or div.op_type != "Div" or list(div.input[:1]) != [mul.output[0]] \
                    or len(div.input) != 2 or self.scalar(div.input[1]) != 6.0:
                continue
            add.op_type = "HardSigmoid"  # y = max(0, min(1, x/6 + 1/2)) = clip(x + 3, 0, 6) / 6
            del add.input[:]
            add.input.append(x)
            for name, value in (("alpha", 1 / 6), ("beta", 0.5)):
                attribute = add.attribute.add()
                attribute.name, attribute.type, attribute.f = name, ATTR_FLOAT, value
            del mul.input[:]
            mul.input.extend([x, add.output[0]])
            mul.output[0] = div.output[0]
            self.removed |= {id(clip), id(div)}

    def fold_affine_before_conv(self) -> None:
        single = self.single_consumers()
        for mul in list(self.live()):
            if (found := self.affine(mul, single)) is None:
                continue
            a, b, x, add = found
            conv = single.get(add.output[0])
            if conv is None or not conv.input or conv.input[0] != add.output[0] or a == 0.0:
                continue
            if (current := self.conv_weights(conv)) is None:
                continue
            weights, bias = current
            if self.pads_nothing(conv):  # W·(a·x + b) + B = (a·W)·x + (B + b·ΣW)
                bias = bias + np.float32(b) * weights.reshape(weights.shape[0], -1).sum(axis=1, dtype=np.float32)
                conv.input[0] = x
                self.removed |= {id(mul), id(add)}
            else:  # a·x + b = a·(x + b/a): the padding stays zeros
                self.shift(add, x, b / a, channels=weights.shape[1] * self.group(conv))
                self.removed.add(id(mul))
            self.weights[id(conv)] = (weights * np.float32(a), bias)

    def write(self) -> None:
        for conv in self.live():
            if (current := self.weights.get(id(conv))) is not None:
                weights, bias = current
                conv.input[1] = self.constant(weights, conv.input[1])
                name = self.constant(bias, conv.output[0] + "/bias")
                if len(conv.input) > 2:
                    conv.input[2] = name
                else:
                    conv.input.append(name)
        used = {name for node in self.live() for name in node.input} | self.outputs
        kept = [node for node in self.live() if node.op_type != "Constant" or node.output[0] in used]
        del self.graph.node[:]
        self.graph.node.extend(kept)
        for name, value in self.added.items():
            if name in used:
                tensor = self.graph.initializer.add()
                tensor.name, tensor.data_type = name, FLOAT
                tensor.dims.extend(value.shape)
                tensor.raw_data = np.ascontiguousarray(value, dtype="<f4").tobytes()


def fuse(model: bytes) -> bytes:
    """The model with the rewrites above; unchanged when it has subgraphs or an IR version before 4
    (initializers must then be graph inputs as well), or nothing to rewrite."""
    message = _model_class()()
    message.ParseFromString(model)
    if message.ir_version < 4 or any(a.type in (ATTR_GRAPH, ATTR_GRAPHS) for n in message.graph.node
                                     for a in n.attribute):
        return model
    graph = _Graph(message.graph)
    graph.fold_affine_after_conv()
    graph.hard_swish_as_hard_sigmoid()
    graph.fold_affine_before_conv()
    if not graph.removed:
        return model
    graph.write()
    return bytes(message.SerializeToString())
