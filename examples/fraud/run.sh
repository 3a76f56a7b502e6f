#!/usr/bin/env bash
# Builds and runs the fraud example end to end:
#   examples/fraud/run.sh [MUONC [OUTDIR]]   # defaults: build/tools/muonc, examples/fraud/build
# Relative paths are taken from the repository root. Set CC to pick the C compiler.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
muonc="$(realpath -m "${1:-build/tools/muonc}")"
if [[ ! -x "$muonc" ]]; then
  echo "error: no muonc at $muonc (build it, or pass its path as the first argument)" >&2
  exit 1
fi
out="${2:-examples/fraud/build}"
mkdir -p "$out"
out="$(realpath "$out")"
cc="${CC:-cc}"
cflags=(-std=c11 -O2 -Wall -Wextra -pedantic)   # C11 for _Alignas

echo "== training the models (make_model.py)"
/usr/bin/python3 "$here/make_model.py" "$out"

echo "== compiling them with muonc"
"$muonc" "$out/fraud.onnx" -o "$out/fraud.o" --name fraud
"$muonc" "$out/fraud_small.onnx" -o "$out/fraud_small.o" --name fraud_small
grep -h '^#define .*_WORKSPACE_SIZE' "$out/fraud.h" "$out/fraud_small.h"

echo "== linking main.c with fraud.o, two_models.c with fraud.o and fraud_small.o"
"$cc" "${cflags[@]}" -I "$out" "$here/main.c" "$out/fraud.o" -lm -o "$out/fraud"
"$cc" "${cflags[@]}" -I "$out" "$here/two_models.c" "$out/fraud.o" "$out/fraud_small.o" \
  -lm -o "$out/two_models"

echo "== $out/fraud"
"$out/fraud"
echo "== $out/two_models"
"$out/two_models"
