"""Baseline for the edge kit: a small MLP with a float64 reference and an int8 path.

The int8 path quantises weights per output channel (symmetric) and computes in float32,
as most on-device runtimes do. The weights are a fixed-seed placeholder: load your
trained and converted model here instead, and keep `reference` as the exported original.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..evaluation.bootstrap import FloatArray
from ..evaluation.core import KitSettings, field_of, read_csv

INPUTS, HIDDEN, OUTPUTS = 16, 64, 4


@dataclass(frozen=True)
class Layer:
    weight: FloatArray  # (out, in)
    bias: FloatArray


@dataclass(frozen=True)
class QuantizedLayer:
    weight: npt.NDArray[np.int8]
    scale: npt.NDArray[np.float32]  # one per output channel
    bias: npt.NDArray[np.float32]


def reference_model(seed: int = 7) -> tuple[Layer, Layer]:
    rng = np.random.default_rng(seed)
    first = Layer(rng.normal(0, 1 / np.sqrt(INPUTS), (HIDDEN, INPUTS)), rng.normal(0, 0.1, HIDDEN))
    second = Layer(
        rng.normal(0, 1 / np.sqrt(HIDDEN), (OUTPUTS, HIDDEN)), rng.normal(0, 0.1, OUTPUTS)
    )
    return first, second


def quantize(layer: Layer) -> QuantizedLayer:
    scale = np.abs(layer.weight).max(axis=1) / 127.0
    weight = np.clip(np.round(layer.weight / scale[:, None]), -127, 127).astype(np.int8)
    return QuantizedLayer(weight, scale.astype(np.float32), layer.bias.astype(np.float32))


def reference(layers: tuple[Layer, Layer], x: FloatArray) -> FloatArray:
    """Softmax scores of the float64 model, shape (batch, OUTPUTS)."""
    hidden = np.maximum(x @ layers[0].weight.T + layers[0].bias, 0.0)
    return softmax(hidden @ layers[1].weight.T + layers[1].bias)


def optimised(layers: tuple[QuantizedLayer, QuantizedLayer], x: FloatArray) -> FloatArray:
    """Softmax scores of the int8-weight model computed in float32."""
    act = x.astype(np.float32)
    for index, layer in enumerate(layers):
        act = (act @ layer.weight.T.astype(np.float32)) * layer.scale + layer.bias
        if index == 0:
            act = np.maximum(act, np.float32(0))
    return softmax(act.astype(np.float64))


def softmax(logits: FloatArray) -> FloatArray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


def load_inputs(settings: KitSettings) -> tuple[list[dict[str, object]], FloatArray]:
    path = settings.path("golden")
    rows = read_csv(path)
    x = np.array(
        [[field_of(row, f"x{i}", float, path.name) for i in range(INPUTS)] for row in rows]
    )
    return rows, x


def deployed() -> tuple[QuantizedLayer, QuantizedLayer]:
    """The model as it runs on the device: load your converted model here.

    The eval gate times `optimised(deployed(), x)` one input at a time, so the latency
    budget is checked on exactly what `predict` runs.
    """
    first, second = reference_model()
    return quantize(first), quantize(second)


def predict(settings: KitSettings) -> int:
    """Run the optimised path on the sample inputs: `{"id", "scores"}` per row."""
    rows, x = load_inputs(settings)
    scores = optimised(deployed(), x)
    lines = [
        json.dumps({"id": row["id"], "scores": np.round(s, 7).tolist()})
        for row, s in zip(rows, scores, strict=True)
    ]
    settings.output("predictions").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)
