"""The tint Python module: run by CTest as python/tint_test with
Debian's /usr/bin/python3 -m pytest and PYTHONPATH=build/python."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tint

SOURCE = Path(os.environ.get("TINT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = Path(os.environ.get("TINT_BINARY_DIR", SOURCE / "build"))


def grey_photo():
    """A 48x64 grey ramp with texture, the same every run."""
    rng = np.random.default_rng(20260101)
    ramp = np.linspace(30, 220, 64)[None, :].repeat(48, axis=0)
    return np.clip(ramp + rng.normal(0, 12, (48, 64)), 0, 255).astype(np.uint8)


def lightness(rgb):
    """CIE L of an 8-bit RGB or grey array (D65), 0..100."""
    x = rgb.astype(np.float64) / 255.0
    if x.ndim == 2:
        x = x[..., None].repeat(3, axis=2)
    lin = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
    y = lin @ np.array([0.2126729, 0.7151522, 0.0721750])
    return np.where(y > 0.008856, 116 * np.cbrt(y) - 16, 903.3 * y)


def test_methods_lists_the_registry():
    names = [m["name"] for m in tint.methods()]
    assert names[:4] == ["grayscale", "classic", "classic-exact", "cnn"]
    classic = next(m for m in tint.methods() if m["name"] == "classic")
    assert classic["takes_options"] and classic["reads_database"] and not classic["takes_model"]
    assert classic["preset"] == {}
    # Presets are methods with the options they set.
    seed = next(m for m in tint.methods() if m["name"] == "classic:seed")
    assert seed["preset"]["color_space"] == "yuv" and seed["preset"]["matcher"] == "exact"
    assert "classic:welsh-stats" in names
    deep = next(m for m in tint.methods() if m["name"] == "classic:deep")
    assert deep["preset"] == {"features": "deep"}


def test_options_are_the_option_table():
    opts = {o["name"]: o for o in tint.options()}
    assert opts["smooth_radius"]["flag"] == "--smooth-radius"
    assert opts["smooth_radius"]["range"] == "0..100"
    assert opts["matcher"]["choices"] == ["flann", "exact", "hnsw", "faiss-flat", "faiss-ivf", "faiss-hnsw"]
    assert opts["seed"]["default"] == "2016"
    assert opts["features"]["choices"] == ["shades", "deep"] and opts["features"]["default"] == "shades"
    with pytest.raises(ValueError, match="features must be one of shades, deep, got 'cnn'"):
        tint.colorize(grey_photo(), features="cnn")
    # Any method's own table; none for a method without options.
    welsh = {o["name"]: o for o in tint.options("welsh")}
    assert welsh["stats_window"]["flag"] == "--stats-window" and welsh["stats_window"]["default"] == "5"
    assert tint.options("grayscale") == []
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        tint.options("nope")


@pytest.mark.parametrize("method,options", [("grayscale", {}), ("cnn", {}), ("classic", {"calibration_step": 0})])
def test_colorize_returns_rgb_of_the_same_size_keeping_lightness(method, options):
    grey = grey_photo()
    out = tint.colorize(grey, method=method, **options)
    assert out.shape == (48, 64, 3) and out.dtype == np.uint8
    assert np.abs(lightness(out) - lightness(grey)).max() < 1.5
    # An RGB input is reduced to its luminance first: the same grey as RGB gives the same output.
    assert np.array_equal(tint.colorize(np.repeat(grey[..., None], 3, axis=2), method=method, **options), out)


def test_options_reach_the_pipeline():
    grey = grey_photo()
    plain = tint.colorize(grey, calibration_step=0, keep_saturation=False)
    kept = tint.colorize(grey, calibration_step=0, keep_saturation=True)
    assert plain.shape == kept.shape
    assert not np.array_equal(plain, kept)


def test_bad_arguments_raise_value_error_with_the_cli_message():
    grey = grey_photo()
    with pytest.raises(ValueError, match=r"^smooth_radius must be an integer in 0\.\.100, got '200'$"):
        tint.colorize(grey, smooth_radius=200)
    with pytest.raises(ValueError, match=r"^unknown method 'nosuch' \(registered: grayscale, classic"):
        tint.colorize(grey, method="nosuch")
    with pytest.raises(ValueError, match="takes no options"):
        tint.colorize(grey, method="cnn", window=9)
    with pytest.raises(ValueError, match=r"unknown option 'smoothing_radius'"):
        tint.colorize(grey, smoothing_radius=3)
    with pytest.raises(ValueError, match="must be a"):
        tint.colorize(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ValueError, match="uint8, uint16 or float32"):
        tint.colorize(np.zeros((4, 4), np.int64))


def test_bad_values_raise_value_or_type_error_naming_them():
    grey = grey_photo()
    with pytest.raises(TypeError, match="hint_reach"):
        tint.colorize(grey, method="levin", hints=np.zeros((48, 64, 4), np.uint8), hint_reach="far")
    with pytest.raises(TypeError, match="db"):
        tint.colorize(grey, db=3)
    with pytest.raises(TypeError, match="swatches"):
        tint.colorize(grey, method="welsh", reference=np.zeros((8, 8, 3), np.uint8), swatches=5)
    strokes = np.zeros((48, 64, 4), np.uint8)
    strokes[20:23, 5:15] = (200, 40, 40, 255)
    with pytest.raises(ValueError, match="reach"):
        tint.colorize(grey, hints=strokes, hint_reach=-1)
    bad = grey.astype(np.float32) / 255
    bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="finite and in 0..1"):
        tint.colorize(bad, method="grayscale")
    with pytest.raises(ValueError, match="finite and in 0..1"):
        tint.colorize(grey.astype(np.float32), method="grayscale")  # 0..255, not 0..1


def test_bad_sequences_raise_value_or_type_error():
    grey = grey_photo()
    key = np.stack([grey] * 3, axis=-1)
    with pytest.raises(ValueError, match="frames is empty"):
        tint.colorize_sequence([], key, method="welsh")
    with pytest.raises(ValueError, match="keyframe must be an"):
        tint.colorize_sequence([grey], grey, method="welsh")
    with pytest.raises(TypeError, match="list of arrays, found str"):
        tint.colorize_sequence([grey, "frame.png"], key, method="welsh")


def test_threads_share_colorizers_without_hanging():
    """Four threads at once (the same method, and classic, cnn, grayscale and a
    preset together) give the bytes a single thread gives. Run in a child so
    that a deadlock fails the test after 240 s instead of hanging it."""
    code = """
import sys, numpy as np, tint
from concurrent.futures import ThreadPoolExecutor
rng = np.random.default_rng(20260101)
ramp = np.linspace(30, 220, 64)[None, :].repeat(48, axis=0)
grey = np.clip(ramp + rng.normal(0, 12, (48, 64)), 0, 255).astype(np.uint8)
runs = [("classic", {"calibration_step": 0})] * 4 + [
    ("classic", {"calibration_step": 0}), ("cnn", {}), ("grayscale", {}),
    ("classic:seed-flann", {"calibration_step": 0})]
with ThreadPoolExecutor(4) as pool:
    together = list(pool.map(lambda r: tint.colorize(grey, method=r[0], **r[1]), runs))
alone = [tint.colorize(grey, method=m, **o) for m, o in runs]
assert all(np.array_equal(a, b) for a, b in zip(together, alone))
print("ok", len(runs))
"""
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=240)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok 8"


def test_strokes_colour_the_photo_and_bad_strokes_raise():
    grey = grey_photo()
    strokes = np.zeros((48, 64, 4), np.uint8)
    strokes[20:23, 5:15] = (200, 40, 40, 255)  # a red stroke, RGBA
    out = tint.colorize(grey, method="levin", hints=strokes)
    assert out.shape == (48, 64, 3)
    assert np.abs(lightness(out) - lightness(grey)).max() < 1.5
    r, g, b = (out[21, 10].astype(int))
    assert r > g + 10 and r > b + 10
    # Over classic, with a short reach: the stroke's pixels turn red.
    fixed = tint.colorize(grey, hints=strokes, hint_reach=3)
    assert int(fixed[21, 10, 0]) > int(fixed[21, 10, 1]) + 10
    assert any(m["name"] == "levin" and m["colours_from_hints"] for m in tint.methods())
    with pytest.raises(ValueError, match="colours only from strokes"):
        tint.colorize(grey, method="levin")
    with pytest.raises(ValueError, match="but the photo is 64x48"):
        tint.colorize(grey, method="levin", hints=strokes[:40])
    with pytest.raises(ValueError, match="no stroke found"):
        tint.colorize(grey, method="levin", hints=np.zeros((48, 64, 4), np.uint8))
    with pytest.raises(ValueError, match="hint_reach applies"):
        tint.colorize(grey, hint_reach=3)
    # The old, symmetric weights on request; a bad name is a ValueError.
    symmetric = tint.colorize(grey, method="levin", hints=strokes, hint_weights="symmetric")
    assert np.abs(symmetric.astype(int) - out.astype(int)).max() > 0
    with pytest.raises(ValueError, match="hint_weights must be levin or symmetric"):
        tint.colorize(grey, method="levin", hints=strokes, hint_weights="geometric")


def test_a_reference_colours_welsh_and_classic():
    grey = grey_photo()
    reference = np.zeros((40, 50, 3), np.uint8)
    reference[:, :25] = (200, 60, 40)
    reference[:, 25:] = (40, 80, 200)
    for method in ("welsh", "classic"):
        out = tint.colorize(grey, method=method, reference=reference)
        assert out.shape == (48, 64, 3)
        assert np.abs(lightness(out) - lightness(grey)).max() < 1.5
    swatched = tint.colorize(grey, method="welsh", reference=reference,
                             swatches=["0,0,20,20:0,0,20,20"])
    assert not np.array_equal(swatched, tint.colorize(grey, method="welsh", reference=reference))
    # welsh's own knobs, by the names of its option table
    varied = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    fewer = tint.colorize(grey, method="welsh", reference=varied, jitter_samples=4)
    assert not np.array_equal(fewer, tint.colorize(grey, method="welsh", reference=varied))
    assert np.array_equal(fewer, tint.colorize(grey, method="welsh", reference=varied,
                                               jitter_samples="4"))
    with pytest.raises(ValueError, match="stats_window must be an integer in 3..31"):
        tint.colorize(grey, method="welsh", reference=reference, stats_window=4)
    with pytest.raises(ValueError, match="unknown option 'window'"):
        tint.colorize(grey, method="welsh", reference=reference, window=5)
    with pytest.raises(ValueError, match="colours from a reference photo"):
        tint.colorize(grey, method="welsh")
    with pytest.raises(ValueError, match="takes no reference"):
        tint.colorize(grey, method="cnn", reference=reference)
    with pytest.raises(ValueError, match="inside the photo"):
        tint.colorize(grey, method="welsh", reference=reference, swatches=["60,0,20,20:0,0,9,9"])


def test_colorize_sequence_colours_each_frame_from_the_keyframe():
    grey = grey_photo()
    keyframe = np.zeros((48, 64, 3), np.uint8)
    keyframe[:, :32] = (200, 60, 40)
    keyframe[:, 32:] = (40, 80, 200)
    frames = [np.roll(grey, shift, axis=1) for shift in (0, 2, 4)]
    out = tint.colorize_sequence(frames, keyframe, method="welsh", temporal=0.5)
    assert len(out) == 3 and all(o.shape == (48, 64, 3) for o in out)
    for o, f in zip(out, frames):
        assert np.abs(lightness(o) - lightness(f)).max() < 1.5
    alone = tint.colorize_sequence(frames, keyframe, method="welsh", temporal=0.0)
    assert np.array_equal(alone[0], out[0]) and not np.array_equal(alone[2], out[2])
    with pytest.raises(ValueError, match="takes no reference"):
        tint.colorize_sequence(frames, keyframe, method="cnn")
    with pytest.raises(ValueError, match="but the keyframe is 64x48"):
        tint.colorize_sequence([grey[:40]], keyframe, method="welsh")
    with pytest.raises(ValueError, match="--temporal"):
        tint.colorize_sequence(frames, keyframe, method="welsh", temporal=2.0)


def test_metrics_compute_uses_the_metric_table():
    grey = grey_photo()
    rgb = tint.colorize(grey, method="cnn")
    same = tint.metrics.compute(rgb, rgb)
    assert same["auc"] == 100.0 and same["psnr"] == 99.0 and same["ab_rmse"] == 0.0
    keys = [m["key"] for m in tint.metrics.table()]
    assert set(same) == set(keys) - {"seconds"}
    assert tint.metrics.compute(grey, rgb)["ab_rmse"] > 0.0


def test_database_stats_count_the_manifest():
    manifest = json.loads((SOURCE / "patchdb" / "manifest.json").read_text())
    stats = tint.Database(str(SOURCE / "patchdb")).stats()
    assert stats["patches"] == len(manifest["patches"])
    assert sum(stats["labels"].values()) == len(manifest["patches"])
    with pytest.raises(ValueError, match="patch database folder not found"):
        tint.Database("/no/such/db")


def test_eval_load_reads_a_run(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(f'name = "py"\n[[dataset]]\nname = "d"\nkind = "folder"\npath = "{SOURCE / "tests" / "data"}"\n'
                      f'[[method]]\nname = "hc"\nmode = "cnn"\nmodel = "{SOURCE / "models" / "tint-hc" / "card.toml"}"\n')
    subprocess.run([str(BINARY / "bin" / "tint"), "eval", "--config", str(config), "--out", str(tmp_path / "run")],
                   check=True, capture_output=True)
    run = tint.eval.load(tmp_path / "run")
    assert run["summary"]["name"] == "py"
    assert len(run["photos"]) == 2 * 2  # two photos x (grayscale, hc)
    assert isinstance(run["photos"][0]["auc"], float)
    # One stats row per metric for hc against the baseline, agreeing with the photos.
    auc = [s for s in run["stats"] if s["metric"] == "auc"]
    assert len(auc) == 1 and auc[0]["method"] == "hc"
    by_photo = {m: [p["auc"] for p in run["photos"] if p["method"] == m] for m in ("grayscale", "hc")}
    diffs = [a - b for a, b in zip(by_photo["hc"], by_photo["grayscale"])]
    assert abs(auc[0]["difference"] - sum(diffs) / 2) < 1e-3
    assert auc[0]["ci95_low"] <= auc[0]["difference"] <= auc[0]["ci95_high"]
    assert auc[0]["wins"] + auc[0]["ties"] + auc[0]["losses"] == 2
    assert auc[0]["significant"] is False  # two photos are too few
    with pytest.raises(ValueError, match="no summary.json"):
        tint.eval.load(tmp_path)
