#!/usr/bin/python3
"""Writes a one-Relu ONNX model whose tensor names try to end the generated
header's comments and inject C:

    hostile_names.py OUT.onnx
"""
import sys

import onnx
from onnx import TensorProto, helper

INPUT = 'x*/ int evil(void){return 1;} /*"\n#define relu_run oops'
OUTPUT = "y/*\r\x07"

node = helper.make_node("Relu", [INPUT], [OUTPUT], name="relu")
graph = helper.make_graph(
    [node], "hostile",
    [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [1, 4])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
