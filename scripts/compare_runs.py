"""Compares two `tint eval --config` runs: every number but the seconds, the provenance and the config text.

    /usr/bin/python3 scripts/compare_runs.py RUN_A RUN_B   # exit 1 when they differ
"""
import json, sys, csv
a, b = (json.load(open(f"{d}/summary.json")) for d in sys.argv[1:3])
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("seconds", "provenance", "config")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
same_summary = strip(a) == strip(b)
rows = lambda d: [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(open(f"{d}/per_photo.csv"))]
ra, rb = rows(sys.argv[1]), rows(sys.argv[2])
print(f"summary (all but seconds, provenance): {'identical' if same_summary else 'DIFFERENT'}; "
      f"per_photo.csv rows: {len(ra)} vs {len(rb)}, {'identical' if ra == rb else 'DIFFERENT'} apart from seconds")
print("commits:", a["provenance"]["git_commit"][:7], b["provenance"]["git_commit"][:7])
sys.exit(0 if same_summary and ra == rb else 1)
