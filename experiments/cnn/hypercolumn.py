"""The tint hypercolumn colorization network (model definition and colour bins).

A small network in the spirit of Larsson, Maire & Shakhnarovich 2016
("Learning Representations for Automatic Colorization"): features are taken at
several depths (1/4, 1/8, 1/16 and 1/32 of the input), upsampled to 1/4 of the
input and concatenated into a hypercolumn, and a 1x1 head predicts a
distribution over quantized (a, b) bins at that reduced resolution. The
distribution is decoded like Zhang et al. 2016 (annealed mean, T = 0.38) by
tint's C++ `bins` decoder.

Shared by train.py (training and export) and the smoke test.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Inputs are L in 0..100 mapped to about -1..1: (L - 50) * 0.02.
L_OFFSET = -50.0
L_SCALE = 0.02
# The deepest level is 1/32 of the input, so input sides are multiples of 32.
MULTIPLE = 32
# The head computes at 1/4 of the input.
OUTPUT_STRIDE = 4


def _block(cin, cout, stride, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Hypercolumn(nn.Module):
    """L (N,1,H,W) -> logits over K ab bins (N,K,H/4,W/4).

    global_context: the deepest features averaged over the whole input and
    added to the head's hidden layer (a fusion layer in the spirit of Iizuka,
    Simo-Serra & Ishikawa 2016), so that every pixel sees the whole scene."""

    def __init__(self, num_bins, widths=(32, 64, 128, 192, 192), head=128, global_context=False):
        super().__init__()
        w = widths
        self.level1 = nn.Sequential(_block(1, w[0], 2), _block(w[0], w[0], 1))  # 1/2
        self.level2 = nn.Sequential(_block(w[0], w[1], 2), _block(w[1], w[1], 1))  # 1/4
        self.level3 = nn.Sequential(_block(w[1], w[2], 2), _block(w[2], w[2], 1))  # 1/8
        self.level4 = nn.Sequential(_block(w[2], w[3], 2), _block(w[3], w[3], 1))  # 1/16
        self.level5 = nn.Sequential(_block(w[3], w[4], 2), _block(w[4], w[4], 1, dilation=2))  # 1/32
        self.head = nn.Sequential(
            nn.Conv2d(w[1] + w[2] + w[3] + w[4], head, 1, bias=False),
            nn.BatchNorm2d(head),
            nn.ReLU(inplace=True),
            nn.Conv2d(head, num_bins, 1),
        )
        # GlobalAveragePool and a broadcast Add: both run in OpenCV dnn 4.6
        # (a ReduceMean over H and W gives NaN there).
        self.context = nn.Conv2d(w[4], head, 1, bias=False) if global_context else None

    def forward(self, x):
        f1 = self.level1(x)
        f2 = self.level2(f1)
        f3 = self.level3(f2)
        f4 = self.level4(f3)
        f5 = self.level5(f4)
        # Constant scale factors keep the exported Resize shape-agnostic, so
        # OpenCV dnn can run the same file at any input size.
        up = lambda t, s: F.interpolate(t, scale_factor=s, mode="bilinear", align_corners=False)
        hyper = torch.cat([f2, up(f3, 2.0), up(f4, 4.0), up(f5, 8.0)], dim=1)
        if self.context is None:
            return self.head(hyper)
        hidden = self.head[0](hyper) + self.context(F.adaptive_avg_pool2d(f5, 1))
        for layer in self.head[1:]:
            hidden = layer(hidden)
        return hidden


def ab_grid_bins(ab_pixels, step=10.0, extent=110.0, min_count=1):
    """Centres of the step x step ab grid cells that training pixels fall in.

    ab_pixels: (N, 2) float array of (a, b). Returns (K, 2) float32, sorted by a
    then b, and the count of pixels per kept bin.
    """
    n = int(round(2 * extent / step)) + 1
    idx = np.clip(np.round((ab_pixels + extent) / step).astype(np.int64), 0, n - 1)
    flat = idx[:, 0] * n + idx[:, 1]
    counts = np.bincount(flat, minlength=n * n)
    keep = np.nonzero(counts >= min_count)[0]
    centres = np.stack([keep // n, keep % n], axis=1).astype(np.float32) * step - extent
    return centres, counts[keep]


def soft_encode(ab, centres, sigma=5.0, neighbours=5):
    """Zhang et al.'s soft encoding: Gaussian weights on the nearest bins.

    ab: (N, 2, h, w) tensor; centres: (K, 2) tensor. Returns (N, K, h, w).
    """
    n, _, h, w = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    d2 = torch.cdist(flat, centres).pow(2)
    near_d2, near_idx = d2.topk(neighbours, dim=1, largest=False)
    weight = torch.exp(-near_d2 / (2 * sigma * sigma))
    weight = weight / weight.sum(dim=1, keepdim=True)
    q = torch.zeros(flat.shape[0], centres.shape[0], device=flat.device, dtype=flat.dtype)
    q.scatter_(1, near_idx, weight)
    return q.reshape(n, h, w, -1).permute(0, 3, 1, 2)


def soft_cross_entropy(logits, target, weights=None):
    """Per-pixel cross-entropy of logits (N,K,...) against soft targets of the
    same shape; with `weights` (K,), each pixel is weighted by its nearest
    bin's weight (Zhang et al.'s class rebalancing). Returns (N,...)."""
    per_pixel = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
    if weights is not None:
        per_pixel = per_pixel * weights[target.argmax(dim=1)]
    return per_pixel


def annealed_mean(logits, centres, temperature=0.38):
    """Zhang et al.'s annealed mean of a logits tensor (N,K,h,w) -> ab (N,2,h,w)."""
    p = torch.softmax(logits / temperature, dim=1)
    return torch.einsum("nkhw,kc->nchw", p, centres)
