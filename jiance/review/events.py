"""What every review chain (school frame, rosters, tested students) records of each step.

Each chain declares its statuses and actions (`jiance.review.spec.Chain`); the history row is the
same everywhere: who acted, when, from which status to which, and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReviewEvent(models.Model):
    """One step of a review chain. A concrete subclass adds the foreign key to what is reviewed
    (named in `subject`, related name "events"), overrides `action` with its choices and names its
    status choices in `statuses`; the Meta (ordering, names) is inherited."""

    statuses: ClassVar[type[models.TextChoices]]
    subject: ClassVar[str]  # the foreign key to the reviewed record
    unknown_status_label: ClassVar[StrOrPromise] = ""  # shown for a status outside `statuses` ("" = the code)

    action = models.CharField(_("操作"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(_("原状态"), max_length=12)
    to_status = models.CharField(_("新状态"), max_length=12)
    comment = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self) -> str:
        return f"{getattr(self, self.subject + '_id')}:{self.action}@{self.at:%Y-%m-%d %H:%M}"

    @property
    def unit(self) -> Any:
        """The unit of the reviewed record (the audit log and scoping file events under it)."""
        return getattr(self, self.subject).unit

    def _label(self, status: str) -> str:
        label = dict(self.statuses.choices).get(status)
        return str(label if label is not None else (self.unknown_status_label or status))

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)
