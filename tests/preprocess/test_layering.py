"""lbpnet.preprocess sits below windows, features, tasks and models: it never imports them."""

import subprocess
import sys


def test_preprocess_imports_no_higher_layer():
    code = ("import sys, lbpnet.preprocess; bad = [m for m in sys.modules if m.startswith(("
            "'lbpnet.features', 'lbpnet.windows', 'lbpnet.tasks', 'lbpnet.models', "
            "'lbpnet.explain', 'lbpnet.monitoring', 'lbpnet.curation', 'lbpnet.reports', "
            "'lbpnet.audit', 'lbpnet.cli'))]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
