"""tint's metric table from Python: the same functions `tint eval` scores with."""
from ._tint import _metric_table, _metrics_compute


def compute(pred, truth):
    """Every metric of the table (but seconds) of `pred` against `truth`.

    Both are (H, W) grey or (H, W, 3) RGB arrays of one size (uint8, uint16 or
    float32 in 0..1). The rebalanced AuC's prior is the truth's own colours.
    """
    return _metrics_compute(pred, truth)


def table():
    """The metric table: key, header, digits, higher_is_better, description."""
    return _metric_table()
