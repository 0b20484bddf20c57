"""Estimation for complex survey designs (no Django): weights, strata, PSUs, finite-population
corrections, replicate weights, domains, plausible values. See docs/analysis.md."""

from jiance_core.analysis.design import Design, design_from_frame, replicate_design, taylor_design
from jiance_core.analysis.estimators import Z95, difference, quantiles, ratios, rubin
from jiance_core.analysis.table import COLUMNS, Request, Row, estimate_table, parse_request

__all__ = [
    "COLUMNS",
    "Z95",
    "Design",
    "Request",
    "Row",
    "design_from_frame",
    "difference",
    "estimate_table",
    "parse_request",
    "quantiles",
    "ratios",
    "replicate_design",
    "rubin",
    "taylor_design",
]
