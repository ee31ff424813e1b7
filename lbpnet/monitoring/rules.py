"""Escalation rules as data: a versioned rule set read from ``conf/monitoring/*.yaml``.

A rule file::

    name: default
    version: 1.0.0
    rules:
      - id: forecast_cannot_reach_mic
        version: 1
        kind: forecast_misses_mic          # one of KINDS
        text: The forecast interval at the horizon does not reach the minimal important change.
        level: review                      # info | review | urgent
        action: for clinician review
        params: {outcome: odi}

Every rule recommends an action "for clinician review": lbpnet supports a clinician's
decision, it never makes one. :func:`load_rules` checks the file and names the rule and field
of any fault; :func:`rule_set` builds the same from a Hydra config (``_target_``).

Kinds and their parameters (defaults in brackets):

``forecast_misses_mic``  ``outcome``; the best end of the forecast interval at the horizon
                         improves on the baseline by less than the outcome's MIC.
``worsening_beyond_sdc`` ``measures`` (list), ``consecutive`` [2]; each of the last
                         ``consecutive`` sessions is worse than baseline by more than the SDC95.
``missed_sessions``      ``missed`` [2], ``within_last`` [3]; at least ``missed`` of the last
                         ``within_last`` planned sessions had no outcome report.
``last_change_below``    ``outcome``, ``fraction_of_mic`` [1.0]; at the latest session the
                         improvement since baseline is below ``fraction_of_mic`` × MIC (the
                         simple comparison rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lbpnet.errors import ConfigError

LEVELS = ("info", "review", "urgent")
ACTION = "for clinician review"
KINDS: dict[str, dict] = {
    "forecast_misses_mic": {"outcome": None},
    "worsening_beyond_sdc": {"measures": None, "consecutive": 2},
    "missed_sessions": {"missed": 2, "within_last": 3},
    "last_change_below": {"outcome": None, "fraction_of_mic": 1.0},
}
RULE_FIELDS = ("id", "version", "kind", "text", "level", "action", "params")


@dataclass(frozen=True)
class Rule:
    """One escalation rule (see the module docstring for kinds and parameters)."""

    id: str
    version: str
    kind: str
    text: str
    level: str
    action: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned list of rules; ``source`` is the file it came from."""

    name: str
    version: str
    rules: tuple
    source: str = "<config>"

    def measures(self) -> set[str]:
        """Every outcome or measure a rule refers to."""
        out = set()
        for r in self.rules:
            out |= set(r.params.get("measures") or [])
            if r.params.get("outcome"):
                out.add(r.params["outcome"])
        return out


def _rule(raw, i: int, source: str) -> Rule:
    where = f"rules[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} is not a mapping", source=source, field=where,
                          fix=f"give each rule the fields {', '.join(RULE_FIELDS)}")
    rid = raw.get("id")
    where = f"rules[{i}] ({rid})" if rid else where
    unknown = sorted(set(raw) - set(RULE_FIELDS))
    if unknown:
        raise ConfigError(f"{where} has unknown field(s) {unknown}", source=source,
                          field=f"{where}.{unknown[0]}", fix=f"use only {', '.join(RULE_FIELDS)}")
    for name in ("id", "version", "kind", "text", "level", "action"):
        v = raw.get(name)
        if v is None or str(v).strip() == "":
            raise ConfigError(f"{where} has no '{name}'", source=source,
                              field=f"{where}.{name}", fix=f"give the rule a {name}")
    if raw["kind"] not in KINDS:
        raise ConfigError(f"{where} has unknown kind '{raw['kind']}'", source=source,
                          field=f"{where}.kind", fix=f"use one of {', '.join(KINDS)}")
    if raw["level"] not in LEVELS:
        raise ConfigError(f"{where} has escalation level '{raw['level']}'", source=source,
                          field=f"{where}.level", fix=f"use one of {', '.join(LEVELS)}")
    if ACTION not in str(raw["action"]).lower():
        raise ConfigError(f"{where} recommends '{raw['action']}'", source=source,
                          field=f"{where}.action",
                          fix=f"every action is '{ACTION}' (decision support, not a decision)")
    params = dict(raw.get("params") or {})
    allowed = KINDS[raw["kind"]]
    bad = sorted(set(params) - set(allowed))
    if bad:
        raise ConfigError(f"{where}: kind {raw['kind']} takes no parameter {bad}", source=source,
                          field=f"{where}.params.{bad[0]}", fix=f"use {sorted(allowed)}")
    for name, default in allowed.items():
        if default is None and not params.get(name):
            raise ConfigError(f"{where}: kind {raw['kind']} needs '{name}'", source=source,
                              field=f"{where}.params.{name}", fix=f"name the {name}")
        params.setdefault(name, default)
    if "measures" in params:
        m = params["measures"]
        params["measures"] = [m] if isinstance(m, str) else [str(x) for x in m]
    for name in ("consecutive", "missed", "within_last"):
        if name in params and (not isinstance(params[name], int) or params[name] < 1):
            raise ConfigError(f"{where}: {name} must be a whole number >= 1 "
                              f"(got {params[name]!r})", source=source,
                              field=f"{where}.params.{name}", fix=f"set {name} to 1 or more")
    if params.get("missed", 0) > params.get("within_last", 10**9):
        raise ConfigError(f"{where}: missed {params['missed']} > within_last "
                          f"{params['within_last']}", source=source, field=f"{where}.params",
                          fix="count at most within_last missed sessions")
    return Rule(str(rid), str(raw["version"]), raw["kind"], str(raw["text"]).strip(),
                raw["level"], str(raw["action"]), params)


def rule_set(name: str, version, rules, source: str = "<config>", **_ignored) -> RuleSet:
    """Build and check a :class:`RuleSet` from plain data (Hydra ``_target_``)."""
    if version is None or str(version).strip() == "":
        raise ConfigError("the rule set has no version", source=source, field="version",
                          fix="give the file a version (e.g. 1.0.0); change it with any rule")
    if rules is not None and not isinstance(rules, (str, dict)) and hasattr(rules, "__iter__"):
        rules = list(rules)                     # a Hydra ListConfig, a tuple
    if not isinstance(rules, list) or not rules:
        raise ConfigError("the rule set lists no rules", source=source, field="rules",
                          fix="give a list of rules under 'rules:'")
    built = [_rule(dict(r) if hasattr(r, "items") else r, i, source) for i, r in enumerate(rules)]
    seen = set()
    for r in built:
        if r.id in seen:
            raise ConfigError(f"rule id '{r.id}' appears twice", source=source, field="rules",
                              fix="give every rule its own id")
        seen.add(r.id)
    return RuleSet(str(name), str(version), tuple(built), source)


def load_rules(path) -> RuleSet:
    """Read and check a rule file (YAML).

    Raises
    ------
    ConfigError
        Missing or unparsable file, or any rule fault (naming the rule and field).
    """
    import yaml
    path = Path(path)
    if not path.is_file():
        raise ConfigError("rule file not found", source=str(path),
                          fix="give the path of a rule file, e.g. conf/monitoring/default.yaml")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise ConfigError(f"not valid YAML ({str(e).splitlines()[0]})", source=str(path),
                          fix="check the indentation and quoting") from None
    if not isinstance(raw, dict):
        raise ConfigError("the file is not a mapping with name, version and rules",
                          source=str(path), fix="see conf/monitoring/default.yaml")
    return rule_set(raw.get("name", path.stem), raw.get("version"), raw.get("rules"),
                    source=str(path))
