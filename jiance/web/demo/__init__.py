"""The demo's chain from school reporting to rosters, as it stands some ten days before test day.

Built through the real services (so the data obeys the rules of real use: review states, the
sample's hash chain, the audit log), each step stamped at a plausible moment before `today`:

1. every county imports its 属地学校信息 (the synthetic city's figures) and submits it; the city
   approves it (one county is returned once and corrects a school first);
2. the city draws the sample schools (`draw_create`, PPS, the demo's seed) and publishes them;
   most counties confirm their sample, 南昌县 all but two junior schools, one of which has a
   replacement request waiting for the city;
3. 南昌县's confirmed sample schools import student rosters (synthetic students with valid ID
   numbers, as CSV) and teacher rosters (XLSX) and go through the review chain to different
   steps; the demo school's roster waits for its principal;
4. the city and every county record their leadership groups, and the counties staff their sample
   schools (`staffing`: most submitted, 南昌县 two schools short, one county with a rule broken);
5. on and after test day (`jiance demo --phase testday|after`), every roster of 南昌县 is approved
   and the city draws 南昌县's students on its own (the per-county draw), two days before.

Where no demo account works (other counties, other schools) a stand-in acts with the one role the
step needs (`Scope.acting_for`, a real Scope with that one grant); the audit log names it by label,
e.g. “进贤县县级信息员（演示）”. One module per step: `frames` (1), `sample` (2), `rosters` (3),
`documents` (the implementation documents of every county and sample school at their steps);
`common` holds what they share.
"""

from __future__ import annotations

from jiance.web.demo.common import ChainSummary, Sample
from jiance.web.demo.documents import build_documents
from jiance.web.demo.rosters import build_rosters, draw_students
from jiance.web.demo.sample import build_sample, held_back, pick_demo_school
from jiance.web.demo.staffing import StaffingSummary, build_staffing

__all__ = ["ChainSummary", "Sample", "StaffingSummary", "build_documents", "build_rosters", "build_sample",
           "build_staffing", "draw_students", "held_back", "pick_demo_school"]
