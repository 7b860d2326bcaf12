"""Chart specifications: what a chart shows, independent of how any format draws it.

One spec feeds both the PDF's vector chart (matplotlib → SVG → reportlab drawing) and the DOCX's
chart (a PNG today; a native Word chart where Word has the kind), so the two always show the same
numbers, labels and order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

ChartKind = Literal["bar", "timeline"]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChartSpec:
    name: str
    """Name templates use to place the chart (`membership`, `timeline`)."""
    kind: ChartKind
    """`bar`: horizontal bars per category; `timeline`: dated events on an axis."""
    title: str
    categories: tuple[str, ...]
    """Category labels (bar) or formatted dates (timeline), in display order (top to bottom)."""
    series: tuple[Series, ...]
    """Values per category; for a timeline, one series of positions (decimal years)."""
    annotations: tuple[str, ...]
    """Text drawn with each category: the members' names (bar) or the event (timeline)."""
    alt: str
    """Alternative text: the whole chart said in words."""
    value_label: str = ""
    """Axis title for the values."""
    source: str = ""
    """Source line printed under the chart."""
    language: str = "en"

    def digest(self) -> str:
        """Stable hash of everything that changes the drawing (with the theme's hash, the cache key)."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
