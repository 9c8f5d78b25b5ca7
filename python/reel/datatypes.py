"""Datatype-level names of Rerun's API that scripts use: rotations, angles, image enums."""

from ._enums import ChannelDatatype, ColorModel  # noqa: F401
from ._reel import Angle, AnnotationInfo, Quaternion, RotationAxisAngle  # noqa: F401

__all__ = ["Angle", "AnnotationInfo", "ChannelDatatype", "ColorModel", "Quaternion", "RotationAxisAngle"]
