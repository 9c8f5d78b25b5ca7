"""Component-level names of Rerun's API that scripts use: the enums of the definition
(rr.components.FillMode.Solid, Colormap, MarkerShape, TransformRelation, GraphType) and the
string helpers (MediaType, TextLogLevel)."""

from ._enums import Colormap, FillMode, GraphType, MarkerShape, TransformRelation  # noqa: F401
from ._types import MediaType, TextLogLevel  # noqa: F401

__all__ = ["Colormap", "FillMode", "GraphType", "MarkerShape", "MediaType", "TextLogLevel", "TransformRelation"]
