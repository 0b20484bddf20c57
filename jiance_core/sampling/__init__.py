"""School sampling: the frame (:mod:`.frame`) and the draw (:mod:`.schools`). No Django here."""

from __future__ import annotations

from jiance_core.sampling.frame import check_frame, read_frame, validate_frame
from jiance_core.sampling.schools import (
    SamplingPlan,
    SchoolSample,
    StratumExplanation,
    draw_school_sample,
    frame_content_hash,
)

__all__ = [
    "SamplingPlan",
    "SchoolSample",
    "StratumExplanation",
    "check_frame",
    "draw_school_sample",
    "frame_content_hash",
    "read_frame",
    "validate_frame",
]
