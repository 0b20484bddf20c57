"""Implementation documents (实施材料, SPEC §10): one `Submission` per (cycle, kind, unit), a
record of the review engine (`jiance.review`): 填报中 → 待审核 → 已通过, or 已退回 and submitted
again; a kind that is only filed (备案) goes 填报中 → 已备案 and may be filed again.

Every submission keeps its versions (`SubmissionVersion`: the files and the filled form as they
were submitted, late or not) and every step (`SubmissionEvent`). Files (`DocumentFile`) are
stored encrypted in the database and leave only through permission-checked views.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.audit.models import Action
from jiance.review.events import ReviewEvent
from jiance.review.models import Reviewable
from jiance.review.spec import Chain, ReviewRefused, Step


class DocumentError(ReviewRefused):
    """A refused operation on an implementation document, with the reason in Chinese."""


class DocStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")
    FILED = "filed", _("已备案")


class DocAction(models.TextChoices):
    SUBMIT = "submit", _("提交审核")
    FILE = "file", _("提交备案")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")


EDITABLE = (DocStatus.DRAFT, DocStatus.RETURNED, DocStatus.FILED)


def _stamp(action: str, now: Any, actor: Any) -> dict[str, Any]:
    if action in (DocAction.SUBMIT, DocAction.FILE):
        return {"submitted_at": now}
    return {"decided_at": now}


# Who may take a step depends on the kind (its submitting and reviewing levels): the chain names
# every office, the services (`services.py`) require the very level's office before each step.
DOCUMENT_CHAIN = Chain(
    name="documents",
    statuses=DocStatus,
    editable=EDITABLE,
    steps=(
        Step(DocAction.SUBMIT, DocAction.SUBMIT.label, (DocStatus.DRAFT, DocStatus.RETURNED), DocStatus.SUBMITTED,
             roles.DOCUMENT_OFFICES, Action.SUBMIT),
        Step(DocAction.FILE, DocAction.FILE.label, EDITABLE, DocStatus.FILED, roles.DOCUMENT_OFFICES, Action.SUBMIT),
        Step(DocAction.APPROVE, DocAction.APPROVE.label, (DocStatus.SUBMITTED,), DocStatus.APPROVED,
             roles.OFFICES, Action.APPROVE),
        Step(DocAction.RETURN, DocAction.RETURN.label, (DocStatus.SUBMITTED,), DocStatus.RETURNED,
             roles.OFFICES, Action.RETURN, reason_required=True, reason_message=_("退回时必须填写退回原因")),
    ),
    error=DocumentError,
    noun=_("实施材料"),
    audit_subject="实施材料",
    locked_message=_("该材料已审核通过并锁定，不能修改。"),
    in_review_message=_("当前状态为“%(status)s”，正在审核中，不能修改；如需修改，请联系审核人退回。"),
    stamp=_stamp,
)


class Submission(Reviewable):
    chain = DOCUMENT_CHAIN

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    # the cycle's `documents:` code (the kind itself is data of the cycle: `kinds.kind_of`)
    kind_code = models.CharField(_("材料代码"), max_length=60)
    kind_name = models.CharField(_("材料名称"), max_length=200)
    unit = models.ForeignKey("units.Unit", verbose_name=_("提交单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=DocStatus.choices, default=DocStatus.DRAFT)
    # the form or self-check list as the unit fills it now ({field: value} / {item index: {...}})
    data = models.JSONField(_("填报内容"), default=dict)
    late = models.BooleanField(_("逾期提交"), default=False)  # the last submission came after the deadline
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("实施材料")
        verbose_name_plural = _("实施材料")
        ordering = ["cycle", "kind_code", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["cycle", "kind_code", "unit"], name="unique_document_submission")]
        indexes = [models.Index(fields=["cycle", "kind_code", "status"], name="document_kind_status")]

    def __str__(self) -> str:  # the audit log's object column
        return f"{self.unit.name}《{self.kind_name}》"


class SubmissionEvent(ReviewEvent):
    """One step of a submission's review chain."""

    subject = "submission"
    statuses = DocStatus

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=DocAction.choices)


class FilePurpose(models.TextChoices):
    DOCUMENT = "document", _("文档")
    SCAN = "scan", _("盖章扫描件")
    PHOTO = "photo", _("照片")


class DocumentFile(models.Model):
    """One uploaded file, checked by its content (`uploads.inspect`), stored encrypted. It belongs
    to the draft until removed (`removed_at`), and to every version it was submitted with."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    purpose = models.CharField(_("用途"), max_length=10, choices=FilePurpose.choices)
    filename = models.CharField(_("文件名"), max_length=200)
    ext = models.CharField(_("类型"), max_length=5)  # pdf, jpg, png, docx: from the content
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()  # Fernet token (jiance.crypto.encrypt_bytes)
    thumbnail = models.BinaryField(null=True, blank=True)  # PNG, not encrypted (a small preview)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "purpose", "pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def unit(self) -> Any:
        return self.submission.unit

    @property
    def size_label(self) -> str:
        return f"{self.size / 1024 / 1024:.1f} MB" if self.size >= 1024 * 1024 else f"{max(1, self.size // 1024)} KB"


class SubmissionVersion(models.Model):
    """What was submitted the n-th time: the filled form and the files, late or not."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("第几次提交"))
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    late = models.BooleanField(_("逾期提交"), default=False)
    data = models.JSONField(default=dict)
    files = models.ManyToManyField(DocumentFile, related_name="versions")

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="unique_submission_version")]

    def __str__(self) -> str:
        return f"{self.submission_id}#{self.number}"

    @property
    def unit(self) -> Any:
        return self.submission.unit
