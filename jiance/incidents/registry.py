"""What the incidents app adds to the shared pages (see `jiance.apps_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import INCIDENT_OVERSEERS, INCIDENT_READERS
from jiance.apps_registry import AppEntry, HomeLink, NavEntry
from jiance.incidents.inbox import inbox
from jiance.incidents.reports import incident_table
from jiance.units.models import Level

APP = AppEntry(
    app="incidents",
    url_prefix="incidents",
    nav=(NavEntry(_("应急事件"), "incidents:home", order=74, roles=INCIDENT_READERS),),
    home_links=(
        HomeLink(_("应急事件"), "incidents:unit", order=72, roles=INCIDENT_READERS,
                 levels=(Level.SCHOOL, Level.COUNTY, Level.CITY), arg="unit"),
        HomeLink(_("监督专线来电"), "incidents:hotline", order=73, roles=INCIDENT_OVERSEERS, levels=(Level.COUNTY,),
                 arg="unit"),
    ),
    inbox=inbox,
    url_params=("code", "fmt", "incident_id", "call_id"),
    progress="jiance.incidents.progress",
    document_tables={
        "school_incident_report": incident_table,
        "county_incident_report": incident_table,
        "city_incident_report": incident_table,
    },
)
