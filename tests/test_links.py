"""No file in the repository links outside it.

A user who clones lbpnet has only the repository: a Markdown link or image, an HTML ``href``/
``src`` whose relative path climbs above the repository root, an absolute file path as a link
target, or a path into the development machine's own folders (its work folder, the ``shared`` folder
beside the checkout) would be broken for them. What runs recorded under
``experiments/`` (their ``config.yaml``, ``metrics.json``, csv logs) keeps the paths the run had:
those are records, not links, and are not searched for machine paths.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".md", ".html", ".htm", ".ipynb", ".py", ".yaml", ".yml", ".txt", ".rst",
                 ".toml", ".cfg", ".sh", ".json", ".tsv", ".csv"}
LINK_SUFFIXES = {".md", ".html", ".htm", ".ipynb", ".py", ".rst"}
MARKDOWN_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)")
HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""")
# built from pieces so that this file does not match itself
MACHINE_PATHS = re.compile("|".join([re.escape("/" + "work/"), re.escape(".." + "/shared"),
                                     re.escape("/" + "tmp/prompts")]))
# what a run writes (config.yaml, metrics.json, per-epoch csv) under experiments/ is a record
RECORD_SUFFIXES = {".json", ".yaml", ".yml", ".csv", ".tsv"}
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def repository_files() -> list[Path]:
    """Files of the repository: tracked and untracked-but-not-ignored (git), else a walk."""
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        files = [ROOT / line for line in out.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "logs", "site", "__pycache__"}
        files = [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)]
    return [p for p in files if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES]


def leaves_repository(target: str, source: Path) -> bool:
    """Whether a link ``target`` written in ``source`` points outside the repository root."""
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target or SCHEME.match(target) or target.startswith("//"):
        return False            # an anchor, a URL (http:, mailto:, data:) or protocol-relative
    if target.startswith(("/", "~")) or re.match(r"^[A-Za-z]:[\\/]", target):
        return True             # an absolute file path
    resolved = (source.parent / target).resolve()
    return not resolved.is_relative_to(ROOT)


def outside_links(path: Path) -> list[str]:
    """``file:line: what`` for every link of ``path`` that leaves the repository."""
    rel = path.relative_to(ROOT).as_posix()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return []
    recorded = rel.startswith("experiments/") and path.suffix.lower() in RECORD_SUFFIXES
    found = []
    for number, line in enumerate(lines, start=1):
        if path.suffix.lower() in LINK_SUFFIXES:
            for pattern in (MARKDOWN_LINK, HTML_LINK):
                for match in pattern.finditer(line):
                    if leaves_repository(match.group(1), path):
                        found.append(f"{rel}:{number}: link to '{match.group(1)}' leaves the "
                                     "repository; link a file inside it (e.g. docs/...) instead")
        if not recorded and MACHINE_PATHS.search(line):
            found.append(f"{rel}:{number}: path of the development machine "
                         f"'{MACHINE_PATHS.search(line).group(0)}'; use a path inside the "
                         "repository")
    return found


def test_the_checker_catches_links_that_leave(tmp_path):
    inside = ROOT / "README.md"
    assert leaves_repository("../" * (len(inside.relative_to(ROOT).parts) + 1) + "x.md", inside)
    assert leaves_repository("/etc/passwd", inside)
    assert not leaves_repository("docs/design.md#rules", inside)
    assert not leaves_repository("https://example.org/a", inside)
    assert not leaves_repository("#anchor", inside)
    bad = ROOT / "docs" / "x.md"
    assert leaves_repository("../../outside.md", bad)
    assert not leaves_repository("../README.md", bad)


def test_no_file_links_outside_the_repository():
    files = repository_files()
    assert any(p.name == "README.md" for p in files), "the repository's files were not found"
    problems = [problem for path in files for problem in outside_links(path)]
    assert not problems, "links that leave the repository:\n" + "\n".join(problems)
