"""experiments/strokes/simulate_strokes.py: the simulated users'
strokes repeat to the byte, stay inside their regions, carry the truth's
chroma there, and are at most k per photo."""
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

SOURCE = Path(os.environ.get("TINT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCRIPT = SOURCE / "experiments" / "strokes" / "simulate_strokes.py"


def make_bsds(root):
    """A BSDS500-shaped root: two photos of test, each with a 4-region segmentation."""
    images, segs = root / "bsds500" / "images" / "test", root / "bsds500" / "segmentations" / "test"
    images.mkdir(parents=True)
    segs.mkdir(parents=True)
    photo = cv2.imread(str(SOURCE / "tests" / "data" / "bridge_small.jpg"))
    h, w = photo.shape[:2]
    seg = np.ones((h, w), np.uint16)
    seg[: h // 2, w // 2 :] = 2
    seg[h // 2 :, : w // 2] = 3
    seg[h // 2 :, w // 2 :] = 4
    for name in ("1", "2"):
        cv2.imwrite(str(images / f"{name}.jpg"), photo)
        cv2.imwrite(str(segs / f"{name}_0.png"), seg)
    return photo, seg


def run(root, out, *ks):
    subprocess.run([sys.executable, str(SCRIPT), "--split", "test", "--k", *map(str, ks), "--out",
                    str(out), "--data-root", str(root)], check=True, capture_output=True)


def test_strokes_repeat_stay_inside_and_carry_the_truth(tmp_path):
    photo, seg = make_bsds(tmp_path)
    run(tmp_path, tmp_path / "a", 1, 3)
    run(tmp_path, tmp_path / "b", 1, 3)
    for k in (1, 3):
        for name in ("1", "2"):
            a = (tmp_path / "a" / f"k{k}" / f"{name}.png").read_bytes()
            assert a == (tmp_path / "b" / f"k{k}" / f"{name}.png").read_bytes()
        strokes = cv2.imread(str(tmp_path / "a" / f"k{k}" / "1.png"), cv2.IMREAD_UNCHANGED)
        assert strokes.shape == photo.shape[:2] + (4,)
        under = strokes[..., 3] == 255
        regions = np.unique(seg[under])
        assert 1 <= len(regions) <= k
        truth = cv2.cvtColor(photo.astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
        drawn = cv2.cvtColor(strokes[..., :3].astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
        for region in regions:
            mask = under & (seg == region)
            # One colour per stroke, within 8-bit rounding of the truth's median chroma there.
            for c in (1, 2):
                assert abs(np.median(drawn[..., c][mask]) - np.median(truth[..., c][mask])) < 3
    # Two photos with the same content get different strokes (the draw is per photo).
    one = (tmp_path / "a" / "k3" / "1.png").read_bytes()
    assert one != (tmp_path / "a" / "k3" / "2.png").read_bytes()


def test_a_missing_split_is_a_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, str(SCRIPT), "--split", "val", "--k", "1", "--out",
                        str(tmp_path / "o"), "--data-root", str(tmp_path)], capture_output=True,
                       text=True)
    assert r.returncode != 0
    assert r.stderr.strip().count("\n") == 0 and "does not exist" in r.stderr
