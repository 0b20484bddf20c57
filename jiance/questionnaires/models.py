"""Online questionnaires (SPEC §12, seeds 000-003): the XLSForm versions of each questionnaire of a
cycle, the people who answer them, and their answers.

- `FormVersion` is immutable once written: the compiled snapshot (`jiance_core.questionnaires.
  xlsform`), its SHA-256 and the uploaded file. Publishing stamps it; a later upload is a new
  version; a response keeps the version it was started on.
- `Respondent`: one person answering in a cycle — by account (principal, county manager), by slip
  (student, teacher: login + short code) or by a single-use link (parent).
- `Response`: a respondent's answering of one questionnaire, real or practice (模拟练习, kept apart).
- `Answer`: the current value per question (the highest sequence number wins); `AnswerSave`: every
  save received, by its client id (a repeated save is recognised and changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionnaireError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""


class Questionnaire(models.Model):
    """One questionnaire of a cycle (its `questionnaires:` entry), the holder of its versions."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("名称"), max_length=120)

    class Meta:
        ordering = ["cycle", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="one_questionnaire_per_code")]

    def __str__(self) -> str:
        return self.name

    def published(self) -> FormVersion | None:
        """The version answered from now on: the latest published one."""
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class FormVersion(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    sha256 = models.CharField(_("指纹"), max_length=64)
    form = models.JSONField(_("问卷内容"))
    source = models.BinaryField(_("XLSForm 文件"))
    filename = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="unique_form_version_number"),
            models.UniqueConstraint(fields=["questionnaire", "sha256"], name="unique_form_version_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


class Kind(models.TextChoices):
    STUDENT = "student", _("学生")
    PRINCIPAL = "principal", _("校长")
    TEACHER = "teacher", _("教师")
    COUNTY_MANAGER = "county_manager", _("区县教育管理人员")
    PARENT = "parent", _("家长")


class Respondent(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("填答对象"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    """the school (students, teachers, principals, parents) or the county (county managers)."""
    name = models.CharField(_("姓名"), max_length=60)
    stage = models.CharField(_("学段"), max_length=8, default="junior")
    teacher_role = models.CharField(_("问卷角色"), max_length=20, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    student = models.ForeignKey("rosters.Student", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey("rosters.Teacher", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    login = models.CharField(_("登录号"), max_length=40, null=True, blank=True)
    code = models.CharField(_("登录码"), max_length=12, blank=True)
    token = models.CharField(_("链接令牌"), max_length=64, null=True, blank=True, unique=True)
    # Wrong codes typed for this login: after SLIP_FAILURE_LIMIT the slip is locked for a while (like
    # the accounts' lockout), so a code cannot be guessed by trying.
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"))

    class Meta:
        ordering = ["cycle", "unit", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "login"], name="unique_respondent_login"),
            models.UniqueConstraint(fields=["cycle", "user", "kind"], name="one_account_respondent_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class Response(models.Model):
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="responses")
    practice = models.BooleanField(_("模拟练习"), default=False)
    started_at = models.DateTimeField(_("开始时间"))
    updated_at = models.DateTimeField(_("最近保存"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["respondent", "questionnaire", "practice"]
        constraints = [
            models.UniqueConstraint(fields=["respondent", "questionnaire", "practice"], name="one_response_per_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} · {self.questionnaire}"

    @property
    def unit(self) -> Any:
        return self.respondent.unit


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    name = models.CharField(max_length=100)
    value = models.JSONField(null=True)
    seq = models.PositiveBigIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "name"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.name}"


class AnswerSave(models.Model):
    """Every save received, once: the client id makes a repeated post a no-op."""

    client_id = models.UUIDField(unique=True)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="saves")
    name = models.CharField(max_length=100)
    seq = models.PositiveBigIntegerField()
    client_at = models.DateTimeField()
    received_at = models.DateTimeField()
    applied = models.BooleanField(default=True)  # False: an older sequence than the stored answer's

    def __str__(self) -> str:
        return str(self.client_id)
