"""Upload → version (immutable, hash-identified), publish freezes, a later edit is a new version,
answers keep their version."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import load_workbook

from jiance import clock
from jiance.questionnaires.examples import EXAMPLES, example_xlsx
from jiance.questionnaires.models import FormVersion, Kind, Questionnaire, QuestionnaireError
from jiance.questionnaires.services.answering import answer_save, response_open
from jiance.questionnaires.services.respondents import respondent_for_account
from jiance.questionnaires.services.versions import version_publish, version_upload
from jiance_core.questionnaires.xlsform import XLSFormError
from tests.factories import World, make_user
from tests.questionnaires.builders import at, q_cycle

pytestmark = pytest.mark.django_db


def edited(content: bytes, label: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb["survey"]
    header = [c.value for c in ws[1]]
    ws.cell(row=4, column=header.index("label::zh") + 1, value=label)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_every_example_is_a_valid_xlsform_marked_as_an_example(world: World) -> None:
    cycle = q_cycle(world, publish=False)
    for ex in EXAMPLES:
        q, _ = Questionnaire.objects.get_or_create(cycle=cycle, code=ex["code"], defaults={"name": ex["name"]})
        version, created = version_upload(questionnaire=q, content=example_xlsx(ex["code"], ex["name"], ex["respondents"]),
                                          filename="x.xlsx", actor=None)
        assert created and version.number == 1
        assert "示例问卷" in version.form["items"][0]["label"]["zh"]


def test_versions_are_immutable_published_once_and_answers_keep_theirs(world: World) -> None:
    cycle = q_cycle(world, publish=False)
    q = Questionnaire.objects.get(cycle=cycle, code="principal")
    first = example_xlsx("principal", "校长问卷", ["principal"])
    v1, created = version_upload(questionnaire=q, content=first, filename="v1.xlsx", actor=None)
    again, created_again = version_upload(questionnaire=q, content=first, filename="same.xlsx", actor=None)
    assert created and not created_again and again.pk == v1.pk  # same content, same version
    assert q.published() is None
    version_publish(version=v1, actor=None)
    with pytest.raises(QuestionnaireError, match="已于"):
        version_publish(version=v1, actor=None)
    principal = make_user("p", "principal", world.school_a1)
    respondent = respondent_for_account(cycle=cycle, user=principal, kind=Kind.PRINCIPAL, unit=world.school_a1)
    with clock.frozen(at("09:30")):
        response = response_open(respondent=respondent, questionnaire=q, practice=False)
        answer_save(response=response, name="sex", raw="1", seq=1, client_id=uuid.uuid4(), at=clock.now())
    v2, created = version_upload(questionnaire=q, content=edited(first, "您的性别（修订）"), filename="v2.xlsx", actor=None)
    assert created and v2.number == 2 and v2.sha256 != v1.sha256
    assert q.published() == v1  # a new upload is a draft until published
    version_publish(version=v2, actor=None)
    assert q.published() == v2
    with pytest.raises(QuestionnaireError, match="已发布更新的第 2 版"):
        version_publish(version=FormVersion.objects.create(
            questionnaire=q, number=0, sha256="x" * 64, form={}, source=b"", filename="", uploaded_at=clock.now()),
            actor=None)
    response.refresh_from_db()
    assert response.version == v1  # the answers keep the version they were given on
    v1.refresh_from_db()
    assert v1.form["items"][2]["label"]["zh"] == "您的性别"
    assert v2.form["items"][2]["label"]["zh"] == "您的性别（修订）"


def test_a_refused_file_makes_no_version(world: World) -> None:
    cycle = q_cycle(world, publish=False)
    q = Questionnaire.objects.get(cycle=cycle, code="principal")
    wb = load_workbook(io.BytesIO(example_xlsx("principal", "校长问卷", ["principal"])))
    wb["survey"].append(["calculate", "total"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(XLSFormError, match="不支持计算字段"):
        version_upload(questionnaire=q, content=buf.getvalue(), filename="bad.xlsx", actor=None)
    with pytest.raises(XLSFormError, match=r"不是 \.xlsx|无法读取"):
        version_upload(questionnaire=q, content=b"not a workbook", filename="bad.xlsx", actor=None)
    assert not q.versions.exists()


def test_pyxform_catches_what_the_format_forbids(world: World) -> None:
    cycle = q_cycle(world, publish=False)
    q = Questionnaire.objects.get(cycle=cycle, code="principal")
    wb = load_workbook(io.BytesIO(example_xlsx("principal", "校长问卷", ["principal"])))
    wb["survey"].append(["text", "bad name with spaces", "坏名字"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(XLSFormError, match="无效"):
        version_upload(questionnaire=q, content=buf.getvalue(), filename="bad.xlsx", actor=None)
