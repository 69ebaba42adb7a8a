"""tint: colorize grayscale photographs and measure the result.

    import numpy as np, tint
    rgb = tint.colorize(grey, method="classic", smooth_radius=4)   # (H, W, 3) uint8
    tint.methods(); tint.options()                                   # what can be asked for
    tint.info()                                                      # which database, model, data
    tint.metrics.compute(rgb, truth)                                 # {"auc": ..., "psnr": ..., ...}
    tint.Database("patchdb").stats()
    tint.eval.load("results/main")                                   # a `tint eval --config` run

Import from the build tree with PYTHONPATH=build/python (Debian's /usr/bin/python3),
or from an install (docs/install.md).
"""
from ._tint import Database, colorize, colorize_sequence, info, methods, options
from . import eval, metrics

__all__ = ["Database", "colorize", "colorize_sequence", "info", "methods", "options", "eval", "metrics"]
