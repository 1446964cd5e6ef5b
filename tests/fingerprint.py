"""Fingerprints of generated panels that a change to the generator moves, but the last-bit
differences of numpy's vectorised maths between CPUs (AVX-512 against AVX2) do not.

Text and whole-number values are hashed exactly. Each float column of a frame is summarised by its
sum, a position-weighted sum and its sum of magnitudes, compared within :data:`RTOL` of the
magnitudes; a JSON document's floats are kept one by one and compared within :data:`RTOL` each.
The CPUs differ by about 2e-16; a real change moves them by far more.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The fingerprints the panel tests pin: per world (``default``, ``collinear``, ``misspecified``) the
#: frame and truth of ``generate_panel``, ``small`` (seed 7, 2 x 2 x 1 x 104), and ``cli`` (the default
#: panel's mmm_data.csv and ground_truth.json as ``mmm data`` writes them), as generated before panels
#: could grow beyond 8 geos x 3 brands x 3 SKUs (then pinned by SHA-256, which the last bits of numpy's
#: AVX-512 maths broke on other CPUs).
STORED: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "panel_fingerprints.json").read_text(encoding="utf-8")
)

#: Relative tolerance on floats and float summaries (SIMD differences: at most ~2e-16 measured).
RTOL = 1e-12


def _summary(values: np.ndarray) -> list[float]:
    position = 1.0 + (np.arange(len(values)) % 97) / 97.0
    return [float(values.sum()), float((values * position).sum()), float(np.abs(values).sum())]


def _digest(items: Any) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()


def frame_fingerprint(frame: pd.DataFrame) -> dict[str, Any]:
    """Column name -> sha256 of an exact column (text, integers) or the float summary."""
    out: dict[str, Any] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            out[column] = _summary(values.to_numpy(dtype=np.float64))
        else:
            out[column] = _digest([str(v) for v in values])
    return out


def json_fingerprint(text: str) -> dict[str, Any]:
    """The document's skeleton (keys, text, whole numbers, in order) hashed, and its floats in order."""
    floats: list[float] = []

    def skeleton(node: Any) -> Any:
        match node:
            case dict():
                return {key: skeleton(value) for key, value in node.items()}
            case list():
                return [skeleton(value) for value in node]
            case float():
                floats.append(node)
                return "<float>"
            case _:
                return node

    shape = skeleton(json.loads(text))
    return {"skeleton": _digest(shape), "floats": floats}


def assert_same_fingerprint(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal hashes; float summaries equal within :data:`RTOL` of their magnitudes."""
    assert list(actual) == list(expected), "different columns or keys"
    for key, value in expected.items():
        if isinstance(value, str):
            assert actual[key] == value, f"{key} changed"
        elif key == "floats":
            np.testing.assert_allclose(actual[key], value, rtol=RTOL, atol=1e-300, err_msg="floats changed")
        else:
            total, weighted, magnitude = value
            tolerance = RTOL * max(magnitude, 1e-300)
            assert abs(actual[key][0] - total) <= tolerance, f"{key}: sum {actual[key][0]!r} != {total!r}"
            assert abs(actual[key][1] - weighted) <= tolerance, f"{key}: weighted sum changed"
            assert abs(actual[key][2] - magnitude) <= tolerance, f"{key}: sum of magnitudes changed"
