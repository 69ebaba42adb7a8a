"""A hypercolumn colorizer on a pretrained backbone (Larsson et al. 2016's design).

The backbone is nsfwjs's MobileNetV2 (ImageNet features; imported and checked
against TensorFlow.js by import_backbone.py), frozen. Grey L, scaled to the
range the backbone was trained with, stands in for its RGB input: a grey
photo has R = G = B, so the first
convolution's kernel is summed over its three input channels, which is exact
for grey input and leaves one input channel. Hypercolumn taps are the
residual stream of four depths (1/4, 1/8, 1/16 and 1/32 of the input) and the
last layer averaged over the whole photo (the scene). Each tap is projected to
`width` channels at its own resolution (3x3 at the coarse ones: context is
cheap there), upsampled to 1/4 and summed with the scene vector; two 1x1 layers
predict logits over tint's ab bins at 1/4 of the input, decoded by tint's C++
`bins` decoder (annealed mean).

The trunk (`Trunk`) and the head (`Head`) are separate so that training can
cache the frozen trunk's taps per crop and train the head alone; `Colorizer`
joins them for export.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from keras_graph import KerasGraph, _Conv

# name -> (tap layers, their strides, their widths, the scene layer and its width)
BACKBONES = {
    "mobilenet_v2": (["block_2_add", "block_5_add", "block_12_add", "block_16_project_BN"],
                     [4, 8, 16, 32], [24, 32, 96, 320], "out_relu", 1280),
}
# The network sees (L - 50) / 50 in -1..1, the range Keras's MobileNetV2 was
# trained on ImageNet with (preprocess_input 'tf' mode; card: l_offset -50,
# l_scale 0.02). nsfwjs feeds its own classifier 0..1 (L / 100 with
# --input-range 01, the first trained head's input).
INPUT_RANGES = {"pm1": (-50.0, 0.02), "01": (0.0, 0.01)}
L_OFFSET, L_SCALE = INPUT_RANGES["pm1"]
MULTIPLE = 32
OUTPUT_STRIDE = 4


class Trunk(nn.Module):
    """The frozen backbone: scaled L (N,1,H,W) -> [taps..., scene (N,C,1,1)]."""

    def __init__(self, graph: KerasGraph, backbone="mobilenet_v2"):
        super().__init__()
        self.taps, _, _, self.scene, _ = BACKBONES[backbone]
        self.graph = graph
        # The first convolution: its kernel summed over R, G and B.
        conv_name = next(n for n in graph.order if graph.layer_class[n] == "Conv2D")
        conv = graph.layers[conv_name]
        if not isinstance(conv, _Conv) or conv.weight.shape[1] != 3:
            raise ValueError(f"{conv_name}: expected an RGB convolution")
        conv.weight = nn.Parameter(conv.weight.sum(dim=1, keepdim=True))
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, l):
        *taps, scene = self.graph(l, outputs=self.taps + [self.scene])
        # GlobalAveragePool: OpenCV dnn 4.6 runs it (a ReduceMean gives NaN there).
        return taps + [F.adaptive_avg_pool2d(scene, 1)]


class Head(nn.Module):
    """[taps..., scene] -> logits over num_bins ab bins at 1/4 of the input."""

    def __init__(self, num_bins, backbone="mobilenet_v2", width=160):
        super().__init__()
        _, strides, widths, _, scene_width = BACKBONES[backbone]
        self.strides = strides
        self.project = nn.ModuleList(
            nn.Conv2d(c, width, 1 if s <= 8 else 3, padding=0 if s <= 8 else 1)
            for c, s in zip(widths, strides))
        self.scene = nn.Conv2d(scene_width, width, 1)
        self.hidden = nn.Conv2d(width, width, 1)
        self.out = nn.Conv2d(width, num_bins, 1)

    def forward(self, features):
        *taps, scene = features
        total = None
        for tap, stride, project in zip(taps, self.strides, self.project):
            y = project(tap)
            factor = stride // OUTPUT_STRIDE
            if factor > 1:
                # Constant scale factors keep the exported Resize shape-agnostic.
                y = F.interpolate(y, scale_factor=float(factor), mode="bilinear", align_corners=False)
            total = y if total is None else total + y
        # The broadcast operand last: OpenCV dnn 4.6 broadcasts the second
        # input of an Add only.
        total = total + self.scene(scene)
        return self.out(F.relu(self.hidden(F.relu(total))))


class Colorizer(nn.Module):
    """Scaled L (N,1,H,W), H and W multiples of 32 -> logits (N,K,H/4,W/4)."""

    def __init__(self, trunk, head):
        super().__init__()
        self.trunk, self.head = trunk, head

    def forward(self, l):
        return self.head(self.trunk(l))


def cache_features(trunk, l):
    """The trunk's outputs for a batch as float16 numpy arrays (the training cache)."""
    with torch.no_grad():
        return [t.half().numpy() for t in trunk(l)]


def as_tensors(arrays):
    return [torch.from_numpy(np.asarray(a, np.float32)) for a in arrays]
