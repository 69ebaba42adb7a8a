"""scripts/thumb_sheet.py: the sheet's cells are the runs' thumbnails, in the
columns asked for, a column may come from another run (OTHER_RUN@I), and a
bad column is a one-line error."""
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

SOURCE = Path(os.environ.get("TINT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCRIPT = SOURCE / "scripts" / "thumb_sheet.py"
ROWS = ("best", "median", "worst")


def make_run(root, name, colours):
    """A run folder whose thumbnail i of every row is a flat colours[i] image."""
    thumbs = root / name / "thumbs"
    thumbs.mkdir(parents=True)
    for row in ROWS:
        for i, colour in enumerate(colours):
            cv2.imwrite(str(thumbs / f"set_{row}_{i}.png"), np.full((20, 30, 3), colour, np.uint8))
    return root / name


def sheet(run, out, *columns):
    return subprocess.run([sys.executable, str(SCRIPT), str(run), "set", str(out), "--columns", *columns],
                          capture_output=True, text=True)


def test_cells_come_from_the_asked_runs(tmp_path):
    after = make_run(tmp_path, "after", [(10, 10, 10), (0, 0, 200), (0, 200, 0)])
    before = make_run(tmp_path, "before", [(10, 10, 10), (200, 0, 0), (0, 200, 0)])
    out = tmp_path / "sheet.png"
    r = sheet(after, out, "0:grey", f"{before}@1:before", "1:after", "2:truth")
    assert r.returncode == 0, r.stderr
    img = cv2.imread(str(out))
    # A 22-px header, then three rows of 24-px cells (2-px white border) x four columns.
    assert img.shape == (22 + 3 * 24, 4 * 34, 3)
    for row in range(3):
        y = 22 + row * 24 + 12
        assert tuple(img[y, 0 * 34 + 17]) == (10, 10, 10)
        assert tuple(img[y, 1 * 34 + 17]) == (200, 0, 0)  # from the other run
        assert tuple(img[y, 2 * 34 + 17]) == (0, 0, 200)
        assert tuple(img[y, 3 * 34 + 17]) == (0, 200, 0)


def test_bad_columns_are_one_line_errors(tmp_path):
    run = make_run(tmp_path, "run", [(10, 10, 10)])
    for column in ("x:grey", "0", f"{tmp_path}/missing@0:grey"):
        r = sheet(run, tmp_path / "sheet.png", column)
        assert r.returncode != 0
        assert r.stderr.strip().count("\n") == 0 and "thumb_sheet.py: error:" in r.stderr, r.stderr
    assert not (tmp_path / "sheet.png").exists()
