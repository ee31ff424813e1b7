"""``lbpnet-audit``: read and check the hash-chained audit log.

::

    lbpnet-audit verify [--log logs/audit.jsonl] [--no-files]   # exit 1 at the first failure
    lbpnet-audit log    [--log ...]                              # one line per entry
    lbpnet-audit show 3 [--log ...]                              # entry 3 as JSON

The log defaults to ``$LBPNET_AUDIT_LOG``, else ``logs/audit.jsonl`` in the current folder
(where lbpnet-train writes it when started here).
"""

from __future__ import annotations

import argparse
import json
import sys

from lbpnet.audit.log import log_path_of, read_entries
from lbpnet.audit.verify import verify_log
from lbpnet.cli.console import EXIT_USER_ERROR
from lbpnet.errors import LbpnetError


def summary_line(entry: dict) -> str:
    """One line of ``lbpnet-audit log``: seq, time, command, user, parent, changes, outputs."""
    changes = entry.get("parameter_changes") or {}
    n_changes = sum(len(changes.get(k) or {}) for k in ("changed", "added", "removed"))
    extra = entry.get("extra") or {}
    what = ""
    if extra.get("refused"):
        what = " REFUSED"
    elif extra.get("moved"):
        what = f" {extra.get('alias')}: {extra.get('from_version')} -> {extra.get('to_version')}"
    elif extra.get("model"):
        what = f" {extra['model']}"
    parent = entry.get("parent") or {}
    return (f"{entry.get('seq'):>4}  {entry.get('time_utc')}  {entry.get('command')}{what}  "
            f"user={entry.get('user')}  parent={parent.get('model') or parent.get('run_dir')}  "
            f"changes={n_changes}  outputs={len(entry.get('outputs') or [])}  "
            f"hash={str(entry.get('hash'))[:12]}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lbpnet-audit``; returns the exit status (0 ok, 1 verification
    failed, 2 a user error such as a missing log)."""
    parser = argparse.ArgumentParser(prog="lbpnet-audit", description=__doc__.split("\n")[0])
    parser.add_argument("--log", default=None, help="the audit log (default "
                        "$LBPNET_AUDIT_LOG or logs/audit.jsonl)")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check the chain and every recorded file's sha256")
    v.add_argument("--no-files", action="store_true", help="check the chain only")
    sub.add_parser("log", help="one line per entry")
    s = sub.add_parser("show", help="one entry as JSON")
    s.add_argument("n", type=int, help="the entry's seq (0 is the first)")
    for p in (v, s, sub.choices["log"]):
        p.add_argument("--log", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = log_path_of(None, args.log)
    try:
        if args.command == "verify":
            verdict = verify_log(path, check_files=not args.no_files)
            print(f"{path}: {verdict}")
            return 0 if verdict.ok else 1
        entries = read_entries(path)
        if args.command == "log":
            for e in entries:
                print(summary_line(e))
            return 0
        match = [e for e in entries if e.get("seq") == args.n]
        if not match:
            raise LbpnetError(f"no entry {args.n} (the log has {len(entries)})",
                              source=str(path), field="n",
                              fix=f"give 0..{max(len(entries) - 1, 0)}")
        print(json.dumps(match[0], indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    except LbpnetError as err:
        print(f"lbpnet-audit: {err}", file=sys.stderr)
        return EXIT_USER_ERROR


def console() -> None:
    """The console script: :func:`main` with ``sys.argv``, its status as the exit status."""
    raise SystemExit(main())


if __name__ == "__main__":
    console()
