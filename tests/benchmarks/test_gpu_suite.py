"""benchmarks/gpu_suite.sh end to end on the CPU (--device cpu --quick): every step runs and
the results table is written (slow: trains HAPT for a few batches, compiles two models)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gpu_suite_on_cpu(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu_suite.sh"), "--device", "cpu",
                           "--quick", "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=1800, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = (tmp_path / "gpu_results.md").read_text()
    for name in ("filters", "training", "attribution", "hapt_default"):
        assert f"| {name} | ok (exit 0) |" in text, text[:1500]
    assert "\ncpu " in text and "Test accuracy" in text      # the filter table row, the HAPT run
    assert text.count("| hapt_activity") >= 4         # 2 models x eager/compile
    assert "saliency" in text and "integrated_gradients" in text
