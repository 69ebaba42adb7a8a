"""A Keras functional model (as TensorFlow.js saves it) rebuilt in torch.

    net = KerasGraph.load("experiments/cnn/backbone/import/mobilenet_v2")
    probs = net(x)                                  # x: (N, 3, H, W) float32
    taps = net(x, outputs=["block_3_expand_relu", "block_16_project_BN"])

The folder holds model.json (the Keras topology and TensorFlow.js's weights
manifest) and weights.bin (the weights in manifest order, uint8- or
uint16-quantized with a min and scale per tensor, or float32), as
experiments/cnn/backbone/backbone.cjs dumps them. The layers nsfwjs's
MobileNetV2 and InceptionV3 use are supported; any other is refused by name.

Keras is channels-last and pads 'same' convolutions asymmetrically when the
padding is odd (more at the bottom and right); the torch copy is channels-first
and pads exactly as Keras does, so that the two agree to float rounding.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

_QUANT = {"uint8": np.uint8, "uint16": np.uint16}


def read_weights(folder):
    """name -> float32 array, dequantized as TensorFlow.js does (q * scale + min)."""
    with open(os.path.join(folder, "model.json")) as f:
        spec = json.load(f)
    with open(os.path.join(folder, "weights.bin"), "rb") as f:
        blob = f.read()
    weights, offset = {}, 0
    for group in spec["weightsManifest"]:
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is not None:
                dtype = _QUANT.get(q["dtype"])
                if dtype is None:
                    raise ValueError(f"{w['name']}: unsupported quantization {q['dtype']}")
                raw = np.frombuffer(blob, dtype, count, offset)
                offset += count * np.dtype(dtype).itemsize
                value = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            elif w["dtype"] == "float32":
                value = np.frombuffer(blob, np.float32, count, offset).copy()
                offset += count * 4
            else:
                raise ValueError(f"{w['name']}: unsupported dtype {w['dtype']}")
            weights[w["name"]] = value.reshape(w["shape"])
    if offset != len(blob):
        raise ValueError(f"weights.bin holds {len(blob)} bytes, the manifest {offset}")
    return spec, weights


def _same_padding(size, kernel, stride, dilation):
    """TensorFlow's 'same' padding along one axis: (before, after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _activation(name, max_value=None):
    if name in (None, "linear"):
        return lambda t: t
    if name == "relu":
        if max_value is None:
            return F.relu
        # min(max(t, 0), m) as two ReLUs: OpenCV dnn 4.6 cannot import the
        # opset-11 Clip that torch exports for clamp.
        return lambda t: F.relu(t) - F.relu(t - float(max_value))
    if name == "softmax":
        return lambda t: F.softmax(t, dim=1)
    if name == "sigmoid":
        return torch.sigmoid
    raise ValueError(f"unsupported activation '{name}'")


class _Conv(nn.Module):
    def __init__(self, cfg, kernel, bias, depthwise):
        super().__init__()
        k = kernel.shape
        if depthwise:  # (kh, kw, in, mult) -> (in * mult, 1, kh, kw)
            w = kernel.transpose(2, 3, 0, 1).reshape(k[2] * k[3], 1, k[0], k[1])
            self.groups = k[2]
        else:  # (kh, kw, in, out) -> (out, in, kh, kw)
            w = kernel.transpose(3, 2, 0, 1)
            self.groups = 1
        self.weight = nn.Parameter(torch.from_numpy(np.ascontiguousarray(w)))
        self.bias = None if bias is None else nn.Parameter(torch.from_numpy(bias.copy()))
        self.kernel = (k[0], k[1])
        self.stride = tuple(cfg["strides"])
        self.dilation = tuple(cfg.get("dilation_rate", [1, 1]))
        self.same = cfg["padding"] == "same"
        self.act = _activation(cfg.get("activation"))
        # Set by KerasGraph when a ZeroPadding2D before this 'valid'
        # convolution is folded in (OpenCV dnn 4.6 cannot import the Pad that
        # torch exports for an asymmetric F.pad).
        self.padding = 0
        reach = [(k - 1) * d for k, d in zip(self.kernel, self.dilation)]
        if self.same and self.stride == (1, 1) and all(r % 2 == 0 for r in reach):
            # At stride 1 an even reach pads symmetrically whatever the size:
            # fixed now, so the exported graph does not depend on the shape.
            self.same, self.padding = False, (reach[0] // 2, reach[1] // 2)

    def fold_padding(self, before, after):
        """Pad (before, after) then this convolution, as one convolution
        with symmetric padding `after`: when after = before + 1, the kernel
        gets a zero row on top and a zero column on the left, which shifts
        its windows by the one pixel the asymmetric padding did."""
        if after == before + 1:
            self.weight = nn.Parameter(F.pad(self.weight.data, (1, 0, 1, 0)))
            self.kernel = (self.kernel[0] + 1, self.kernel[1] + 1)
        elif after != before:
            raise ValueError(f"cannot fold padding ({before}, {after})")
        self.padding = after

    def forward(self, x):
        padding = self.padding
        if self.same:
            ph = _same_padding(x.shape[2], self.kernel[0], self.stride[0], self.dilation[0])
            pw = _same_padding(x.shape[3], self.kernel[1], self.stride[1], self.dilation[1])
            if ph[0] == ph[1] and pw[0] == pw[1]:
                padding = (ph[0], pw[0])  # symmetric: the convolution pads (ONNX-friendly)
            else:
                x = F.pad(x, (pw[0], pw[1], ph[0], ph[1]))
        y = F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)
        return self.act(y)


class _BatchNorm(nn.Module):
    def __init__(self, cfg, w, name):
        super().__init__()
        n = w[name + "/moving_mean"].shape[0]
        gamma = w.get(name + "/gamma", np.ones(n, np.float32))
        beta = w.get(name + "/beta", np.zeros(n, np.float32))
        inv = gamma / np.sqrt(w[name + "/moving_variance"] + np.float32(cfg["epsilon"]))
        self.register_buffer("scale", torch.from_numpy(inv.astype(np.float32)).view(1, -1, 1, 1))
        shift = beta - w[name + "/moving_mean"] * inv
        self.register_buffer("shift", torch.from_numpy(shift.astype(np.float32)).view(1, -1, 1, 1))

    def forward(self, x):
        return x * self.scale + self.shift


class _Pool(nn.Module):
    def __init__(self, cfg, kind):
        super().__init__()
        self.kind = kind
        self.size = tuple(cfg["pool_size"])
        self.stride = tuple(cfg["strides"] or cfg["pool_size"])
        self.same = cfg["padding"] == "same"
        self.padding = 0
        if self.same and self.stride == (1, 1) and all(k % 2 == 1 for k in self.size):
            self.same, self.padding = False, (self.size[0] // 2, self.size[1] // 2)

    def forward(self, x):
        if not self.same and self.padding:
            if self.kind == "max":
                return F.max_pool2d(x, self.size, self.stride, self.padding)
            return F.avg_pool2d(x, self.size, self.stride, self.padding, count_include_pad=False)
        if not self.same:
            if self.kind == "max":
                return F.max_pool2d(x, self.size, self.stride)
            return F.avg_pool2d(x, self.size, self.stride)
        ph = _same_padding(x.shape[2], self.size[0], self.stride[0], 1)
        pw = _same_padding(x.shape[3], self.size[1], self.stride[1], 1)
        if ph[0] != ph[1] or pw[0] != pw[1] or ph[0] * 2 > self.size[0] or pw[0] * 2 > self.size[1]:
            raise ValueError("asymmetric 'same' pooling is not supported")
        if self.kind == "max":
            return F.max_pool2d(x, self.size, self.stride, (ph[0], pw[0]))
        # TensorFlow averages over the window's pixels inside the image only.
        return F.avg_pool2d(x, self.size, self.stride, (ph[0], pw[0]), count_include_pad=False)


class _Dense(nn.Module):
    def __init__(self, cfg, kernel, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        self.bias = None if bias is None else nn.Parameter(torch.from_numpy(bias.copy()))
        self.act = _activation(cfg.get("activation"))

    def forward(self, x):
        return self.act(F.linear(x, self.weight, self.bias))


class _Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def _layer(entry, w):
    kind, cfg, name = entry["class_name"], entry["config"], entry["name"]
    if kind == "InputLayer" or kind == "Dropout":
        return _Lambda(lambda x: x)
    if kind == "Conv2D":
        return _Conv(cfg, w[name + "/kernel"], w.get(name + "/bias"), depthwise=False)
    if kind == "DepthwiseConv2D":
        return _Conv(cfg, w[name + "/depthwise_kernel"], w.get(name + "/bias"), depthwise=True)
    if kind == "BatchNormalization":
        if cfg.get("axis", -1) not in (-1, 3, [3]):
            raise ValueError(f"{name}: batch normalization over axis {cfg['axis']}")
        return _BatchNorm(cfg, w, name)
    if kind == "ReLU":
        return _Lambda(_activation("relu", cfg.get("max_value")))
    if kind == "Activation":
        return _Lambda(_activation(cfg["activation"]))
    if kind == "ZeroPadding2D":
        (top, bottom), (left, right) = cfg["padding"]
        return _Lambda(lambda x: F.pad(x, (left, right, top, bottom)))
    if kind == "Add":
        return _Lambda(lambda *xs: sum(xs[1:], xs[0]))
    if kind == "Concatenate":
        if cfg.get("axis", -1) not in (-1, 3):
            raise ValueError(f"{name}: concatenation over axis {cfg['axis']}")
        return _Lambda(lambda *xs: torch.cat(xs, dim=1))
    if kind in ("AveragePooling2D", "MaxPooling2D"):
        return _Pool(cfg, "avg" if kind.startswith("Average") else "max")
    if kind == "GlobalAveragePooling2D":
        return _Lambda(lambda x: x.mean(dim=(2, 3)))
    if kind == "Flatten":  # Keras flattens channels-last: (H, W, C) order
        return _Lambda(lambda x: x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x.flatten(1))
    if kind == "Dense":
        return _Dense(cfg, w[name + "/kernel"], w.get(name + "/bias"))
    raise ValueError(f"{name}: unsupported Keras layer {kind}")


class KerasGraph(nn.Module):
    """The whole Keras graph, run in topological order (as saved)."""

    def __init__(self, spec, weights):
        super().__init__()
        config = spec["modelTopology"]["model_config"]["config"]
        self.order, self.inputs = [], {}
        self.layers = nn.ModuleDict()
        self.layer_class = {e["name"]: e["class_name"] for e in config["layers"]}
        self.pad_config = {e["name"]: e["config"].get("padding") for e in config["layers"]}
        for entry in config["layers"]:
            name = entry["name"]
            nodes = entry["inbound_nodes"]
            if len(nodes) > 1:
                raise ValueError(f"{name}: a shared layer (called {len(nodes)} times)")
            self.inputs[name] = [n[0] for n in nodes[0]] if nodes else []
            self.layers[name.replace(".", "_")] = _layer(entry, weights)
            self.order.append(name)
        self._fold_zero_padding()
        self.input_name = config["input_layers"][0][0]
        self.output_name = config["output_layers"][0][0]


    def _fold_zero_padding(self):
        """ZeroPadding2D ((t, b), (t, b)) feeding only a 'valid' convolution
        becomes that convolution's symmetric padding b (_Conv.fold_padding,
        b - t in 0..1): the same windows. Keras's MobileNetV2 pads
        ((0, 1), (0, 1)) before each stride-2 convolution."""
        for name in self.order:
            if self.layer_class[name] != "ZeroPadding2D":
                continue
            (top, bottom), (left, right) = self.pad_config[name]
            users = [n for n in self.order if name in self.inputs[n]]
            conv = self.layers[users[0].replace(".", "_")] if len(users) == 1 else None
            if (not isinstance(conv, _Conv) or conv.same or (top, bottom) != (left, right)
                    or bottom - top not in (0, 1)):
                continue
            conv.fold_padding(top, bottom)
            self.layers[name.replace(".", "_")] = _Lambda(lambda x: x)

    @classmethod
    def load(cls, folder):
        spec, weights = read_weights(folder)
        return cls(spec, weights)

    def forward(self, x, outputs=None):
        """x: (N, 3, H, W) RGB in the backbone's own range (0..1 for nsfwjs).
        outputs: layer names to return (a list of tensors), stopping at the
        deepest; None: the model's output."""
        wanted = [self.output_name] if outputs is None else list(outputs)
        last = max(self.order.index(n) for n in wanted)
        values = {}
        for name in self.order[:last + 1]:
            layer = self.layers[name.replace(".", "_")]
            args = [values[i] for i in self.inputs[name]] or [x]
            values[name] = layer(*args)
        return values[self.output_name] if outputs is None else [values[n] for n in wanted]
