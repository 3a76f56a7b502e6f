"""Writes a binary ONNX model whose names are not identifiers, for
names-and-attributes.test: inputs 'input.1' and 'attention_mask:0', outputs
'logits/0' and 'masked', an initializer 'fc.weight' that (as before IR
version 4) is also listed among the graph inputs, and producer 'pytorch'."""
import sys

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save

weight = numpy_helper.from_array(
    np.arange(18, dtype=np.float32).reshape(3, 6), "fc.weight")
bias = numpy_helper.from_array(np.zeros(6, dtype=np.float32), "fc.bias")
graph = helper.make_graph(
    [
        helper.make_node("Gemm", ["input.1", "fc.weight", "fc.bias"],
                         ["logits/0"], name="/fc/Gemm"),
        helper.make_node("Mul", ["input.1", "attention_mask:0"], ["masked"],
                         name="/Mul"),
    ],
    "named",
    [
        helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3]),
        helper.make_tensor_value_info("attention_mask:0", TensorProto.FLOAT,
                                      [1, 3]),
        helper.make_tensor_value_info("fc.weight", TensorProto.FLOAT, [3, 6]),
        helper.make_tensor_value_info("fc.bias", TensorProto.FLOAT, [6]),
    ],
    [
        helper.make_tensor_value_info("logits/0", TensorProto.FLOAT, [1, 6]),
        helper.make_tensor_value_info("masked", TensorProto.FLOAT, [1, 3]),
    ],
    initializer=[weight, bias],
)
model = helper.make_model(graph, producer_name="pytorch",
                          opset_imports=[helper.make_opsetid("", 11)])
model.ir_version = 3
checker.check_model(model)
save(model, sys.argv[1])
