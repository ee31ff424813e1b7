"""``lbpnet-registry``: register trained runs as immutable model versions, move aliases.

::

    lbpnet-registry register run_dir=logs/train/runs/<time> name=strategy_cnn [checkpoint=best]
                    [evaluate=true]   # re-scores the test side per subgroup + calibration
    lbpnet-registry promote name=strategy_cnn version=2 alias=production [tolerance=0.01]
                    [metric=test/f1_macro]        # refused if worse than production / parent
    lbpnet-registry promote name=strategy_cnn version=3 alias=candidate   # not gated
    lbpnet-registry list name=strategy_cnn
    lbpnet-registry show name=strategy_cnn version=2
    lbpnet-registry resolve model=strategy_cnn@production   # run folder + verified checkpoint
    lbpnet-registry card name=strategy_cnn version=2         # rewrite the model card

Every command takes ``registry=PATH`` (default ``$LBPNET_REGISTRY`` or ``logs/registry``)
and ``audit_log=PATH`` (default ``$LBPNET_AUDIT_LOG`` or ``audit.jsonl`` beside the
registry folder). Registrations, alias moves and refused promotions are audit entries.
"""

from __future__ import annotations

import json
import sys

from lbpnet.cli.console import EXIT_USER_ERROR
from lbpnet.errors import ConfigError, LbpnetError

COMMANDS = ("register", "promote", "list", "show", "resolve", "card")


def parse_args(argv: list[str]) -> tuple[str, dict]:
    """``(command, {key: value})`` of ``<command> key=value ...``."""
    if not argv or argv[0] not in COMMANDS:
        raise ConfigError(f"no command (got {argv[:1] or 'nothing'})", field="command",
                          fix=f"lbpnet-registry {{{'|'.join(COMMANDS)}}} key=value ...")
    args = {}
    for token in argv[1:]:
        if "=" not in token:
            raise ConfigError(f"'{token}' is not key=value", field=token,
                              fix="write e.g. name=strategy_cnn version=2")
        key, value = token.split("=", 1)
        args[key.strip()] = value
    return argv[0], args


def _need(args: dict, key: str, example: str) -> str:
    if not args.get(key):
        raise ConfigError(f"{key}= is needed", field=key, fix=f"add {key}={example}")
    return args[key]


def run(command: str, args: dict) -> object:
    """Do one registry command; returns what it prints (a dict or list)."""
    from lbpnet.audit import registry as reg
    root, log = args.get("registry"), args.get("audit_log")
    if command == "register":
        run_dir = _need(args, "run_dir", "logs/.../runs/<time>")
        evaluation = None
        if str(args.get("evaluate", "true")).lower() in ("true", "1", "yes"):
            from lbpnet.cli.evaluate_subgroups import evaluate_run   # test side, per subgroup
            evaluation = evaluate_run(run_dir, args.get("checkpoint", "best"),
                                      args.get("device", "cpu"))
        rec = reg.register(run_dir, _need(args, "name", "strategy_cnn"), root,
                           args.get("checkpoint", "best"), log, evaluation=evaluation)
        return {k: rec[k] for k in ("name", "version", "run_dir", "checkpoint", "metrics",
                                    "parent_version")}
    if command == "promote":
        from lbpnet.audit.promotion import promote
        return promote(_need(args, "name", "strategy_cnn"), int(_need(args, "version", "2")),
                       args.get("alias", "production"), float(args.get("tolerance", 0.01)),
                       args.get("metric"), root, log)
    if command == "list":
        name = _need(args, "name", "strategy_cnn")
        al = reg.aliases(name, root)
        return [{"version": v["version"], "aliases": [a for a, n in al.items()
                                                      if n == v["version"]],
                 "metrics": v["metrics"], "parent_version": v.get("parent_version")}
                for v in reg.versions(name, root)]
    if command == "show":
        return reg.read_version(_need(args, "name", "strategy_cnn"),
                                int(_need(args, "version", "2")), root)
    if command == "resolve":
        run_dir, ckpt, rec = reg.resolve(_need(args, "model", "strategy_cnn@production"), root)
        return {"model": f"{rec['name']}@{rec['version']}", "run_dir": str(run_dir),
                "checkpoint": str(ckpt), "sha256": rec["checkpoint"]["sha256"]}
    from lbpnet.audit.model_card import write_model_card
    rec = reg.read_version(_need(args, "name", "strategy_cnn"), int(_need(args, "version", "2")),
                           root)
    folder = reg.registry_root(root) / rec["name"] / "versions" / str(rec["version"])
    return [str(p) for p in write_model_card(rec, folder)]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lbpnet-registry``; returns the exit status (0 done, 2 refused or a
    user error, the reason on stderr)."""
    try:
        command, args = parse_args(list(sys.argv[1:] if argv is None else argv))
        print(json.dumps(run(command, args), indent=2, sort_keys=True, default=str))
        return 0
    except LbpnetError as err:
        print(f"lbpnet-registry: {err}", file=sys.stderr)
        return EXIT_USER_ERROR


def console() -> None:
    """The console script: :func:`main` with ``sys.argv``."""
    raise SystemExit(main())


if __name__ == "__main__":
    console()
