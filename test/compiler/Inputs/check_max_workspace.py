#!/usr/bin/python3
"""Checks muonc --max-workspace against the workspace a model needs:

    check_max_workspace.py MUONC MODEL OUTDIR

Compiles MODEL without a limit, reads <NAME>_WORKSPACE_SIZE from its header,
then compiles with exactly that limit (must succeed) and one byte less (must
fail, with the message naming both numbers and writing nothing).
"""
import os
import re
import subprocess
import sys

muonc, model, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
base = [muonc, model, "--name=m", "--cache-dir=none"]
subprocess.run(base + ["-o", f"{out}/free.o"], check=True)
header = open(f"{out}/free.h").read()
size = int(re.search(r"#define M_WORKSPACE_SIZE (\d+)", header).group(1))
assert size > 1, f"expected a model with a workspace, got {size} bytes"
subprocess.run(base + [f"--max-workspace={size}", "-o", f"{out}/fits.o"],
               check=True)
less = subprocess.run(base + [f"--max-workspace={size - 1}", "-o",
                              f"{out}/over.o"], capture_output=True, text=True)
assert less.returncode == 1, less
expected = (f"the model needs a workspace of {size} bytes, more than "
            f"--max-workspace allows ({size - 1})")
assert expected in less.stderr, less.stderr
assert not os.path.exists(f"{out}/over.o")
print(f"a workspace of {size} bytes fits --max-workspace={size}, "
      f"not {size - 1}")
