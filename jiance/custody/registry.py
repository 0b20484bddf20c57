"""What the custody app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import MATERIAL_OVERSIGHT, MATERIAL_SEALERS
from jiance.apps_registry import AppEntry, HomeLink, NavEntry
from jiance.custody.printing import document_receipt, document_return

APP = AppEntry(
    app="custody",
    url_prefix="custody",
    nav=(NavEntry(_("保密材料"), "custody:home", order=73, roles=(*MATERIAL_OVERSIGHT, *MATERIAL_SEALERS)),),
    home_links=(HomeLink(_("保密材料交接"), "custody:unit", order=72, roles=(*MATERIAL_OVERSIGHT, *MATERIAL_SEALERS),
                         levels=("county", "school"), arg="unit"),),
    url_params=("code", "entry_id", "fmt", "report"),
    progress="jiance.custody.progress",
    # The two county reports are generated from the ledger (no form to fill in).
    document_tables={"county_tools_custody_report": document_receipt, "county_tools_return_report": document_return},
)
