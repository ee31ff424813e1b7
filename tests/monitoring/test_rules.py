"""Rule files: the default set loads (also through Hydra) and bad files get clear errors."""

from pathlib import Path

import pytest
from hydra.utils import instantiate
from omegaconf import OmegaConf

from lbpnet.errors import ConfigError
from lbpnet.monitoring.rules import LEVELS, load_rules

CONF = Path(__file__).resolve().parents[2] / "conf" / "monitoring"

GOOD_RULE = """
  - id: r1
    version: 1
    kind: worsening_beyond_sdc
    text: Worse than baseline.
    level: review
    action: for clinician review
    params: {measures: [odi]}
"""


def write(tmp_path, text):
    p = tmp_path / "rules.yaml"
    p.write_text(text)
    return p


def test_default_rule_set_has_the_required_rules():
    rs = load_rules(CONF / "default.yaml")
    kinds = {r.kind for r in rs.rules}
    assert {"forecast_misses_mic", "worsening_beyond_sdc", "missed_sessions"} <= kinds
    sensor = [r for r in rs.rules if "co_contraction_index" in r.params.get("measures", [])]
    assert sensor and "flexion_relaxation_ratio" in sensor[0].params["measures"]
    assert all(r.level in LEVELS and r.action == "for clinician review" and r.version
               for r in rs.rules)
    via_hydra = instantiate(OmegaConf.load(CONF / "default.yaml"))
    assert [r.id for r in via_hydra.rules] == [r.id for r in rs.rules]
    assert load_rules(CONF / "last_change.yaml").rules[0].kind == "last_change_below"


@pytest.mark.parametrize("edit, match", [
    (("level: review", "level: alarm"), "escalation level 'alarm'"),
    (("kind: worsening_beyond_sdc", "kind: magic"), "unknown kind 'magic'"),
    (("action: for clinician review", "action: stop treatment"), "for clinician review"),
    (("    version: 1\n", ""), "has no 'version'"),
    (("params: {measures: [odi]}", "params: {measures: [odi], sessions: 2}"), "no parameter"),
    (("params: {measures: [odi]}", "params: {}"), "needs 'measures'"),
    (("params: {measures: [odi]}", "params: {measures: [odi], consecutive: 0}"), ">= 1"),
])
def test_bad_rule_is_named(tmp_path, edit, match):
    text = "name: t\nversion: 1.0\nrules:" + GOOD_RULE.replace(*edit)
    with pytest.raises(ConfigError, match=match) as e:
        load_rules(write(tmp_path, text))
    assert "rules.yaml" in str(e.value) and "r1" in str(e.value)


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_rules(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="YAML"):
        load_rules(write(tmp_path, "rules: [\n  - id: x\n bad"))
    with pytest.raises(ConfigError, match="no version"):
        load_rules(write(tmp_path, "name: t\nrules:" + GOOD_RULE))
    with pytest.raises(ConfigError, match="appears twice"):
        load_rules(write(tmp_path, "name: t\nversion: 1\nrules:" + GOOD_RULE + GOOD_RULE))
    with pytest.raises(ConfigError, match="lists no rules"):
        load_rules(write(tmp_path, "name: t\nversion: 1\nrules: []\n"))
