#!/usr/bin/env bash
# Every kind of output muonc writes, for a refactoring that must not change
# behaviour: compile them with the tree before and after, then compare.
#
#   bash test/outputs.sh build/tools/muonc /tmp/outputs/before
#   (change the code, rebuild)
#   bash test/outputs.sh build/tools/muonc /tmp/outputs/after
#   diff -r /tmp/outputs/before /tmp/outputs/after
#
# The four trained models as float, x86-64-v3, int8 and int8 x86-64-v3
# objects and headers, NPU programs and --emit=linalg text; mobilenet_v2,
# squeezenet1_1, the BERT encoder and the 589-node OCR graph as float objects;
# mobilenet_v2, squeezenet1_1 and resnet18 as int8 objects, and but for
# squeezenet1_1 as NPU programs with the NPU's per-layer report.
# Models and calibration samples are generated once, beside OUTDIR in models/.
set -euo pipefail
if (($# != 2)); then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
muonc=$(realpath "$1")
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
trained=$here/models/trained
mkdir -p "$out"
models=$(dirname "$out")/models # shared by OUTDIRs side by side
mkdir -p "$models"

compile() { "$muonc" --cache-dir=none "$@"; }

for m in breast_cancer_mlp digits_cnn digits_mlp shapes_resnet; do
  samples=$models/$m-calibration
  [[ -d $samples ]] ||
    /usr/bin/python3 "$trained/make_data.py" "$m" --split calibration --out "$samples" >/dev/null
  int8=(--quantize=int8 --calibration="$samples")
  compile "$trained/$m.onnx" -o "$out/$m.o"
  compile "$trained/$m.onnx" --mcpu=x86-64-v3 -o "$out/$m-v3.o"
  compile "$trained/$m.onnx" "${int8[@]}" -o "$out/$m-int8.o"
  compile "$trained/$m.onnx" "${int8[@]}" --mcpu=x86-64-v3 -o "$out/$m-int8-v3.o"
  compile "$trained/$m.onnx" "${int8[@]}" --target=npu --npu-host-prefix -o "$out/$m.npub" 2>/dev/null
  compile "$trained/$m.onnx" --emit=linalg -o "$out/$m.linalg.mlir"
done

[[ -f $models/resnet18-opset13.onnx ]] ||
  /usr/bin/python3 "$here/models/export_models.py" "$models" \
    mobilenet_v2 squeezenet1_1 resnet18 bert_encoder --opset 13 2>/dev/null
[[ -f $models/ocr_mobilenet.onnx ]] ||
  /usr/bin/python3 "$here/models/large_graphs.py" "$models" ocr_mobilenet 2>/dev/null
for m in mobilenet_v2-opset13 squeezenet1_1-opset13 bert_encoder-opset13 ocr_mobilenet; do
  compile "$models/$m.onnx" -o "$out/$m.o"
done
for m in mobilenet_v2-opset13 squeezenet1_1-opset13 resnet18-opset13; do
  samples=$models/$m-calibration
  [[ -d $samples ]] ||
    /usr/bin/python3 "$here/models/make_samples.py" "$models/$m.input.npy" "$samples" 4 1
  int8=(--quantize=int8 --calibration="$samples")
  compile "$models/$m.onnx" "${int8[@]}" -o "$out/$m-int8.o"
  [[ $m == squeezenet1_1-opset13 ]] && continue # ceil-mode pools: not on the NPU
  compile "$models/$m.onnx" "${int8[@]}" --target=npu --npu-report \
    -o "$out/$m.npub" 2>"$out/$m.npu-report.txt"
done
echo "$(ls "$out" | wc -l) files in $out"
