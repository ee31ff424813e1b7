"""lbpnet.cohort sits beside qc/features/datasets: it imports no higher layer."""

import subprocess
import sys


def test_cohort_imports_no_higher_layer():
    code = ("import sys, lbpnet.cohort; bad = [m for m in sys.modules if m.startswith(("
            "'lbpnet.windows', 'lbpnet.tasks', 'lbpnet.models', 'lbpnet.explain', "
            "'lbpnet.monitoring', 'lbpnet.curation', 'lbpnet.reports', 'lbpnet.audit', "
            "'lbpnet.cli', 'torch', 'distributed'))]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
