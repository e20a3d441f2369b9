"""A tidy table: one row per configuration, columns in a fixed order; CSV, JSON, pandas.

Nested values of a row (the ``params`` dict of :mod:`lyapunov.confirm`) become top-level
columns. Missing values are ``None`` (empty in CSV, ``null`` in JSON); NaN and +-inf are
written in JSON by :func:`lyapunov.confirm.jsonable` (the package's one convention) and in
CSV as ``nan``/``inf`` (which ``float()`` and pandas read back).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..confirm import jsonable

__all__ = ["Table"]


def _flatten(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(_flatten(v))
        else:
            out[k] = v
    return out


class Table:
    """Rows (dicts with the same keys), ``columns`` in order, optional per-run arrays.

    ``table["lr"]`` is a column as a numpy array (floats where possible), ``table.rows`` the
    list of dicts, ``table.to_csv(path)`` / ``table.to_json(path)`` save it (``path=None``
    returns the text), ``table.to_pandas()`` gives a DataFrame (pandas is optional).
    ``run_grad2`` and ``diverged_step`` ((rows, runs) arrays) are kept when a sweep asks for
    them (``keep_runs=True``), else None.
    """

    def __init__(
        self,
        rows: list[dict],
        *,
        first: tuple[str, ...] = (),
        run_grad2: np.ndarray | None = None,
        diverged_step: np.ndarray | None = None,
    ) -> None:
        self.rows = [_flatten(r) for r in rows]
        cols = [c for c in first if any(c in r for r in self.rows)]
        for r in self.rows:
            cols += [k for k in r if k not in cols]
        self.columns = cols
        for r in self.rows:
            for c in cols:
                r.setdefault(c, None)
        self.run_grad2 = run_grad2
        self.diverged_step = diverged_step

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.rows)

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in self.columns:
            raise KeyError(f"no column {column!r}; columns: {', '.join(self.columns)}")
        values = [r[column] for r in self.rows]
        try:
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        except (TypeError, ValueError):
            return np.array(values, dtype=object)

    def __repr__(self) -> str:
        return f"Table({len(self)} rows: {', '.join(self.columns)})"

    def to_csv(self, path: str | Path | None = None) -> str:
        """The table as CSV (header = ``columns``); written to ``path`` if given."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=self.columns, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows)
        text = buf.getvalue()
        if path is not None:
            Path(path).write_text(text)
        return text

    def to_json(self, path: str | Path | None = None) -> str:
        """The table as a strict JSON list of row objects; written to ``path`` if given."""
        text = json.dumps(jsonable(self.rows), indent=1)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    def save(self, path: str | Path) -> Path:
        """Write CSV or JSON, chosen by the suffix of ``path`` (``.csv`` or ``.json``)."""
        p = Path(path)
        if p.suffix.lower() not in (".csv", ".json"):
            raise ValueError(f"out: must end in .csv or .json, got {str(path)!r}")
        (self.to_csv if p.suffix.lower() == ".csv" else self.to_json)(p)
        return p

    def to_pandas(self):
        """A pandas DataFrame with the same columns (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Table.to_pandas needs pandas: pip install pandas") from None
        return pd.DataFrame(self.rows, columns=self.columns)
