"""The decisions and audit commands: read what the Group decided, and the audit trail. There
is deliberately no command that edits or removes either."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines import db, exports


def _open(db_path: Path):
    return db.connect_read_only(db_path)


def decisions_command(args: argparse.Namespace) -> int:
    con = _open(args.db)
    try:
        listed = con.sql(db.read_sql("reports/decisions.sql")).pl()
        if args.id is None:
            if listed.height == 0:
                print("no decision has been approved yet")
            for r in listed.iter_rows(named=True):
                print(f"#{r['decision_id']:<4} {r['title'][:40]:<40} £{r['total']:>15,.2f}  census {r['census_date']}  "
                      f"approved by {r['approved_by']} on {r['approved_at']:%Y-%m-%d %H:%M}  {r['status']}")
            return 0
        found = con.sql(db.read_sql("reports/decision.sql"), params={"decision_id": args.id}).pl()
        if found.height == 0:
            print(f"error: there is no decision {args.id}", file=sys.stderr)
            return 1
        record = found.row(0, named=True)
        changes = con.sql(db.read_sql("reports/decision_data_changes.sql"), params={"decision_id": args.id}).pl()
    finally:
        con.close()
    print(f"decision {args.id}: {record['title']} ({record['status']}); CSV sha256 {record['csv_sha256']}")
    if changes.height:
        print(f"superseded data: {changes.height} file(s) differ from those the decision was made on:", file=sys.stderr)
        for r in changes.iter_rows(named=True):
            print(f"  {r['kind']}: {r['file_name']} {r['change']}", file=sys.stderr)
    if args.out:
        extension = args.out.suffix.lower() if args.out.suffix else ".csv"
        kind = "xlsx" if extension == ".xlsx" else "csv"
        target = args.out / record[f"{kind}_file_name"] if args.out.is_dir() else args.out
        target.write_bytes(record[f"{kind}_bytes"])  # the bytes kept at approval, never remade
        print(f"wrote {target}")
    return 0


def audit_command(args: argparse.Namespace) -> int:
    con = _open(args.db)
    try:
        log = con.sql(db.read_sql("reports/audit_log.sql")).pl()
        checked = con.sql(db.read_sql("reports/audit_verification.sql")).pl()
    finally:
        con.close()
    for r in log.sort("seq").tail(args.last).iter_rows(named=True):
        print(f"{r['seq']:>6} {r['recorded_at']:%Y-%m-%d %H:%M:%S} {r['actor'][:30]:<30} {r['action']:<20} {r['subject']:<20} {r['detail'][:80]}")
    if args.out:
        args.out.write_bytes(exports.audit_csv(log))
        print(f"wrote {args.out}")
    broken = checked.filter(~checked["intact"])["seq"].to_list()
    if broken:
        print(f"audit log CHANGED outside the tool: the hash chain breaks at entries {broken[:20]}", file=sys.stderr)
        return 2
    print(f"{log.height} entries; hash chain intact")
    return 0
