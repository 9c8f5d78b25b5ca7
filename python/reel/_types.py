"""Rerun's small helper types that are plain values in Python: rr.Box2DFormat,
rr.TextLogLevel and rr.MediaType (str constants; any str is accepted where they are)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path


class Box2DFormat(Enum):
    """How rr.Boxes2D(array=..., array_format=...) reads each row [a, b, c, d]."""

    XYWH = "XYWH"  # x, y of the top left corner, width, height
    YXHW = "YXHW"  # y, x of the top left corner, height, width
    XYXY = "XYXY"  # x0, y0 (top left), x1, y1 (bottom right)
    YXYX = "YXYX"  # y0, x0 (top left), y1, x1 (bottom right)
    XCYCWH = "XCYCWH"  # center x, center y, width, height
    XCYCW2H2 = "XCYCW2H2"  # center x, center y, half width, half height


class TextLogLevel(str):
    """A TextLog level: any str; the six standard ones are constants (the viewer colors and
    filters them)."""

    CRITICAL: TextLogLevel
    ERROR: TextLogLevel
    WARN: TextLogLevel
    INFO: TextLogLevel
    DEBUG: TextLogLevel
    TRACE: TextLogLevel


for _name in ("CRITICAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"):
    setattr(TextLogLevel, _name, TextLogLevel(_name))


class MediaType(str):
    """A media type (MIME type) string, with Rerun's constants and guess_from_path()."""

    TEXT: MediaType
    MARKDOWN: MediaType
    JPEG: MediaType
    PNG: MediaType
    GLB: MediaType
    GLTF: MediaType
    OBJ: MediaType
    STL: MediaType
    MP4: MediaType

    @staticmethod
    def guess_from_path(path: str | Path) -> MediaType | None:
        """The media type of a file by its extension, or None."""
        return _BY_EXTENSION.get(Path(path).suffix.lower())


for _name, _value in (("TEXT", "text/plain"), ("MARKDOWN", "text/markdown"), ("JPEG", "image/jpeg"),
                      ("PNG", "image/png"), ("GLB", "model/gltf-binary"), ("GLTF", "model/gltf+json"),
                      ("OBJ", "model/obj"), ("STL", "model/stl"), ("MP4", "video/mp4")):
    setattr(MediaType, _name, MediaType(_value))

_BY_EXTENSION = {
    ".jpg": MediaType.JPEG, ".jpeg": MediaType.JPEG, ".png": MediaType.PNG, ".glb": MediaType.GLB,
    ".gltf": MediaType.GLTF, ".obj": MediaType.OBJ, ".stl": MediaType.STL, ".mp4": MediaType.MP4,
}

__all__ = ["Box2DFormat", "MediaType", "TextLogLevel"]
