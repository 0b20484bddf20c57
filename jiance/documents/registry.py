"""What the documents app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import DOCUMENT_OFFICES
from jiance.apps_registry import AppEntry, HomeLink, KeptUpload, NavEntry
from jiance.documents.inbox import inbox


def purge_removed_files(cutoff: dt.datetime) -> int:
    """Files taken out of a draft before they were ever submitted are deleted right away; those
    removed after a submission stay with their version. This purges draft files removed and
    never submitted (none are left behind today; the hook keeps it so if that changes)."""
    from jiance.documents.models import DocumentFile

    return DocumentFile.objects.filter(removed_at__lt=cutoff, versions__isnull=True).delete()[0]


APP = AppEntry(
    app="documents",
    url_prefix="documents",
    nav=(NavEntry(_("实施材料"), "documents:home", order=85, roles=DOCUMENT_OFFICES),),
    home_links=(HomeLink(_("实施材料"), "documents:home", order=70, roles=DOCUMENT_OFFICES),),
    kept_uploads=(KeptUpload("document_files_removed", _("实施材料中已删除且未提交过的文件"), purge=purge_removed_files),),
    url_params=("code", "doc_kind", "file_id"),
    inbox=inbox,
)
