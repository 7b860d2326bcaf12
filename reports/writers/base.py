"""What every writer shares: the render context and visitor dispatch.

Writers are visitors: one `visit_<node_type>` method per node type in `reports.document.nodes.ALL`, state on
the writer instance (counters, image registry), never in module globals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reports.cache import Cache
from reports.theme.model import Theme

if TYPE_CHECKING:
    from reports.charts.render import ChartRenderer
    from reports.theme.fallback import FontFallback


@dataclass(frozen=True)
class RenderContext:
    theme: Theme
    theme_folder: Path
    """Folder of the template's theme.yaml: fonts and reference documents are looked up from here."""
    charts: ChartRenderer
    timestamp: dt.datetime
    """Build time written into file metadata: SOURCE_DATE_EPOCH when set, else the content's date."""
    cache: Cache = field(default_factory=Cache)
    """What this render may reuse and keep (`reports.cache`): fonts' facts, Word styles, drawn charts; a fresh,
    empty one unless the caller keeps one for many renders."""
    fallback: FontFallback | None = None
    """What sets the characters the theme's fonts lack (`reports.theme.fallback`); None: nothing does, and such
    characters are refused."""


def visitor_name(node_type: type) -> str:
    """`BulletList` → `visit_bullet_list`."""
    return "visit_" + re.sub(r"(?<!^)(?=[A-Z])", "_", node_type.__name__).lower()


class Visitor:
    """Dispatch `visit(node)` to `visit_<node_type>(node)`."""

    def visit(self, node: Any) -> Any:
        return getattr(self, visitor_name(type(node)))(node)
