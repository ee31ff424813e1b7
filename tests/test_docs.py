"""The documentation site builds strictly, and shows every study and sub-package.

``mkdocs build --strict`` fails on a broken link, a missing page or a reference mkdocstrings
cannot resolve; the experiments' pages and the API pages are made at build time by
``docs/hooks/repository_pages.py`` from what the repository holds.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")
pytest.importorskip("mkdocstrings", reason="the docs extra is not installed")


def _hook():
    spec = importlib.util.spec_from_file_location("repository_pages",
                                                  ROOT / "docs/hooks/repository_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(config: Path, site: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(config), "-d", str(site)],
                          cwd=config.parent, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = _build(ROOT / "mkdocs.yml", out)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def test_every_study_has_a_page_with_its_results(site):
    studies = sorted(p.parent.name for p in (ROOT / "experiments").glob("*/README.md"))
    assert studies
    for study in studies:
        page = site / "experiments" / study / "index.html"
        assert page.is_file(), f"experiments/{study}/README.md has no page in the site"
        if (ROOT / "experiments" / study / "results.md").is_file():
            assert (site / "experiments" / study / "results" / "index.html").is_file()


def test_every_subpackage_has_an_api_page_rendered_from_its_docstrings(site):
    from lbpnet.recording import Stream
    names = sorted(p.parent.name for p in (ROOT / "lbpnet").glob("*/__init__.py"))
    for name in names:
        assert (site / "api" / name / "index.html").is_file(), f"no API page for lbpnet.{name}"
    page = (site / "api" / "recording" / "index.html").read_text(encoding="utf-8")
    first_line = Stream.__doc__.strip().splitlines()[0]
    assert first_line in page, "the Stream docstring is not on the lbpnet.recording page"


def test_readme_sections_are_included_not_copied(site):
    page = (site / "guides" / "own_data" / "index.html").read_text(encoding="utf-8")
    assert "_physio.tsv.gz" in page          # from the README's "Your own recordings"
    assert "include-markdown" not in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_link_to_a_missing_page_fails_the_strict_build(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n\nSee [there](missing.md).\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nstrict: true\n")
    done = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0 and "missing.md" in done.stdout + done.stderr


def test_links_to_repository_files_outside_the_site_become_their_path():
    hook = _hook()
    page = ROOT / "experiments" / "hapt_activity" / "README.md"
    site = {page.resolve(): "experiments/hapt_activity/README.md",
            (ROOT / "experiments/architecture_benchmark/README.md").resolve():
                "experiments/architecture_benchmark/README.md"}
    text = hook._rewrite("[run](run.sh) [b](../architecture_benchmark) [x](nope.md)",
                         page, "experiments/hapt_activity/README.md", site)
    assert "[run]" not in text and "`experiments/hapt_activity/run.sh`" in text
    assert "[b](../architecture_benchmark/README.md)" in text
    assert "[x](nope.md)" in text           # missing: left for the strict build to refuse
