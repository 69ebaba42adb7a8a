"""Reading the results of `tint eval --config` runs."""
import csv
import json
from pathlib import Path


def load(run_dir):
    """The run in `run_dir`: {"summary": summary.json, "photos": per_photo.csv rows,
    "stats": stats.csv rows}.

    Metric columns of the rows are floats (the keys of summary["metrics"]). Each
    stats row is one data set, method (beside the baseline) and metric: its mean,
    the baseline's, the paired difference with its bootstrap 95% interval
    (ci95_low, ci95_high), the photos won, tied and lost (ints) and whether the
    interval excludes 0 (a bool); empty for a run made before stats.csv.
    Raises ValueError with one line when the folder holds no finished run.
    """
    run = Path(run_dir)
    summary_path, rows_path = run / "summary.json", run / "per_photo.csv"
    if not summary_path.is_file() or not rows_path.is_file():
        raise ValueError(f"{run}: no summary.json and per_photo.csv (run tint eval --config ... --out {run})")
    summary = json.loads(summary_path.read_text())
    numeric = {m["key"] for m in summary.get("metrics", [])} | {"colorfulness_truth", "width", "height"}
    with rows_path.open(newline="") as f:
        photos = [{k: float(v) if k in numeric else v for k, v in row.items()} for row in csv.DictReader(f)]
    stats = []
    if (run / "stats.csv").is_file():
        with (run / "stats.csv").open(newline="") as f:
            for row in csv.DictReader(f):
                for k in ("mean", "baseline_mean", "difference", "ci95_low", "ci95_high"):
                    row[k] = float(row[k])
                for k in ("wins", "ties", "losses"):
                    row[k] = int(row[k])
                row["significant"] = row["significant"] == "1"
                stats.append(row)
    return {"summary": summary, "photos": photos, "stats": stats}
