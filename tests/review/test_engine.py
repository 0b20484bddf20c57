"""The review engine: the transition table each chain declares, the refusals and their Chinese
messages, the version check, and the history and audit every step writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from jiance.aftertest.models import TestedReport
from jiance.audit.models import AuditEntry
from jiance.reporting.models import FrameSubmission
from jiance.review import Chain, ReviewRefused
from jiance.review.models import Reviewable
from jiance.rosters.models import Roster
from tests.factories import World
from tests.review.chains import CASES, build, case_clock

MODELS: dict[str, type[Reviewable]] = {"frame": FrameSubmission, "roster": Roster, "tested": TestedReport}

# Each chain's table as the apps had it before the engine (action: sources -> target).
EXPECTED: dict[str, dict[str, tuple[set[str], str]]] = {
    "frame": {
        "submit": ({"draft", "returned"}, "submitted"), "approve": ({"submitted"}, "approved"),
        "return": ({"submitted"}, "returned"), "unlock": ({"approved"}, "draft"),
    },
    "roster": {
        "submit": ({"draft", "returned"}, "submitted"), "principal": ({"submitted"}, "school_ok"),
        "county": ({"school_ok"}, "county_ok"), "city": ({"county_ok"}, "approved"),
        "return": ({"submitted", "school_ok", "county_ok"}, "returned"),
    },
    "tested": {
        "submit": ({"draft", "returned"}, "submitted"), "approve": ({"submitted"}, "approved"),
        "return": ({"submitted"}, "returned"),
    },
}


@pytest.mark.parametrize("name", CASES)
def test_the_transition_table_is_the_chains_specification(name: str) -> None:
    model = MODELS[name]
    chain: Chain = model.chain
    assert {code: (set(s.sources), s.target) for code, s in chain.actions.items()} == EXPECTED[name]
    for status, _label in chain.statuses.choices:
        record = model(status=status)
        for action in chain.actions:
            target = chain.target(status, action)
            if target is None:
                with pytest.raises(chain.error, match=r"当前状态为“.+”，不能"):
                    record.target_status(action)
            else:
                assert record.target_status(action) == target


@pytest.mark.parametrize("name", CASES)
def test_every_chain_shares_the_record_rules(name: str) -> None:
    model = MODELS[name]
    chain: Chain = model.chain
    assert issubclass(chain.error, ReviewRefused)
    for status, _label in chain.statuses.choices:
        record = model(status=status)
        assert record.editable == (status in chain.editable)
        if status in chain.editable:
            record.check_editable()
        else:
            with pytest.raises(chain.error):
                record.check_editable()
    locked = model(status=chain.editable[0], locked=True)
    assert not locked.editable
    with pytest.raises(chain.error, match="锁定"):
        locked.check_editable()
    # every step's roles come from the registry and every decision back names a reason
    for step in chain.steps:
        assert step.audit
        if step.code in ("return", "unlock"):
            assert step.reason_required and step.reason_message


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASES)
def test_a_posted_version_that_is_not_the_rows_is_refused_and_names_the_change(world: World, name: str) -> None:
    with case_clock(name):
        case = build(name, world)
        page_version = case.obj.version
        case.resubmit(case.return_(case.colleague, case.fresh(), "请补充"))
        before: Any = case.fresh()
        with pytest.raises(case.error) as refused:
            case.approve(case.reviewer, before, version=page_version)
    message = str(refused.value)
    assert "页面已过期" in message and "已于" in message
    assert "提交" in message  # the latest step: submitted again
    after: Any = case.fresh()
    assert (after.status, after.version) == (before.status, before.version)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASES)
def test_a_stale_object_is_refused_with_the_status_it_showed(world: World, name: str) -> None:
    """Without a posted version the status of the object passed in is compared."""
    with case_clock(name):
        case = build(name, world)
        stale = case.fresh()
        case.return_(case.colleague, case.fresh(), "请补充")
        with pytest.raises(case.error, match=r"状态刚由“.+”变为“已退回”"):
            case.approve(case.reviewer, stale)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASES)
def test_a_step_writes_one_event_one_audit_entry_and_bumps_the_version(world: World, name: str) -> None:
    with case_clock(name):
        case = build(name, world)
        events, audits = case.events(), AuditEntry.objects.count()
        with pytest.raises(case.error, match="原因"):
            case.return_(case.reviewer, case.fresh(), "  ")
        with pytest.raises(PermissionDenied):
            case.approve(_reporter(case), case.fresh())
        done: Any = case.return_(case.reviewer, case.fresh(), "请补充", version=case.obj.version)
    assert (done.status, done.version, done.locked) == ("returned", case.obj.version + 1, False)
    assert case.events() == events + 1 and AuditEntry.objects.count() == audits + 1
    event = case.fresh().events.order_by("-pk").first()  # type: ignore[attr-defined]
    assert (event.action, event.from_status, event.to_status, event.comment, event.actor) == (
        "return", case.obj.status, "returned", "请补充", case.reviewer)


def _reporter(case: Any) -> Any:
    """Someone who reports but may not decide: the reporter of each chain."""
    from jiance.accounts.models import Role, User

    role = {"frame": Role.COUNTY_INFO_OFFICER, "roster": Role.SCHOOL_INFO_OFFICER,
            "tested": Role.SCHOOL_INFO_OFFICER}[case.name]
    return User.objects.filter(roles__role=role).first()
