"""Model cards of registered versions (SYNTHETIC cohort): what each section shows, and
"not available" where the run does not hold what a section needs."""

from html.parser import HTMLParser

from lbpnet.audit.model_card import INTENDED_USE, card_blocks, to_html, write_model_card
from lbpnet.audit.registry import register


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tag, self.found = None, []

    def handle_starttag(self, tag, attrs):
        self.tag = tag

    def handle_data(self, data):
        if self.tag in ("h1", "h2") and data.strip():
            self.found.append(data.strip())
            self.tag = None


def test_a_card_says_what_the_run_holds_and_what_it_does_not(two_runs, tmp_path):
    root, run_a, _ = two_runs
    rec = register(run_a, "card", tmp_path / "registry", audit_log=root / "logs" / "audit.jsonl")
    md_path = tmp_path / "registry" / "card" / "versions" / "1" / "model_card.md"
    md = md_path.read_text()
    assert INTENDED_USE in md and "not a diagnosis" in md
    assert "8 of 8 recordings synthetic (100%)" in md
    assert f"| test/f1_macro | {rec['metrics']['test/f1_macro']:.4f} |" in md
    n_test = len(rec["split"]["test"]["subjects"])
    assert f"| test | {n_test} |" in md
    assert "Per subgroup (sex, age_band, site): not available" in md
    assert "## Calibration\n\nnot available" in md
    assert "no lbpnet-explain result" in md
    headings = _Headings()
    headings.feed((md_path.with_suffix(".html")).read_text())
    assert headings.found == [t for k, t, *_ in card_blocks(rec) if k in ("h1", "h2")]


def test_an_explanation_and_qc_counts_appear_when_present(two_runs, tmp_path):
    import json
    import shutil
    run = tmp_path / "run"
    shutil.copytree(two_runs[1], run)
    (run / "explain").mkdir()
    (run / "explain" / "test_ig.json").write_text(json.dumps(
        {"method": "integrated_gradients", "faithfulness": {"deletion_auc": 0.25}}))
    metrics = json.loads((run / "metrics.json").read_text())
    metrics["quality"] = {"test": {"windows": 40, "windows_flagged": 3, "windows_excluded": 1}}
    (run / "metrics.json").write_text(json.dumps(metrics))
    rec = {"name": "m", "version": 1, "run_dir": str(run), "checkpoint": {"sha256": "a"},
           "config_sha256": "b", "metrics": {}, "split": {}, "config": {}}
    md, html = write_model_card(rec, tmp_path / "card")
    text = md.read_text()
    assert "| test_ig | integrated_gradients | deletion_auc 0.2500 |" in text
    assert "QC, test: 3 of 40 windows flagged, 1 excluded" in text
    assert "&lt;" not in to_html([("p", "plain")]) and "<p>a &lt;b&gt;</p>" in to_html(
        [("p", "a <b>")])


def test_registered_with_an_evaluation_the_card_shows_subgroups_and_calibration(two_runs,
                                                                                 tmp_path):
    import json

    from lbpnet.cli.evaluate_subgroups import evaluate_run
    root, _, run_b = two_runs
    evaluation = evaluate_run(run_b)
    metrics = json.loads((run_b / "metrics.json").read_text())
    assert evaluation["windows"] == metrics["split"]["test"]["windows"]
    phenotypes = evaluation["subgroups"]["phenotype"]       # the simulator's covariate
    n_test = len(metrics["split"]["test"]["subjects"])
    assert sum(g["subjects"] for g in phenotypes.values()) == n_test
    assert sum(g["windows"] for g in phenotypes.values()) == evaluation["windows"]
    cal = evaluation["calibration"]
    assert 0 <= cal["ece"] <= 1 and sum(b[2] for b in cal["bins"]) == cal["n"]
    rec = register(run_b, "evaluated", tmp_path / "registry", evaluation=evaluation,
                   audit_log=root / "logs" / "audit.jsonl")
    md = (tmp_path / "registry" / "evaluated" / "versions" / "1" / "model_card.md").read_text()
    assert rec["evaluation"] == evaluation
    assert f"Expected calibration error {cal['ece']:.4f}" in md
    first = sorted(phenotypes)[0]
    assert f"| phenotype | {first} | {phenotypes[first]['subjects']} |" in md
    assert "Per subgroup (sex, age_band, site): not available" in md   # not simulated


def test_lineage_is_one_readable_line():
    from lbpnet.audit.model_card import lineage_text
    lineage = {"labels": {"store": "/s", "version": "abc123", "mode": "override",
                          "recordings": ["r1", "r2"]},
               "parent_checkpoint": {"via": "init_from", "model": "lbp@1 (lbp@production)",
                                     "path": "/p.ckpt", "sha256": "f" * 64,
                                     "config_diff": {"changed": {"seed": [1, 2]},
                                                     "added": {"data.labels": "/s@abc123"},
                                                     "removed": {}}}}
    text = lineage_text(lineage)
    assert text == ("labels /s@abc123 (2 recordings, override); init_from lbp@1 "
                    "(lbp@production) (sha256 ffffffffffff…); config changes vs the parent "
                    "run: data.labels, seed")
    assert lineage_text(None) == "none recorded"
