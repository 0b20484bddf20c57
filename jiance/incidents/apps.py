from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig

CUSTODY_SIGNALS = "jiance.custody.signals"


class IncidentsConfig(AppConfig):
    name = "jiance.incidents"
    verbose_name = "应急事件与监督专线"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The custody app sends `contents_mismatch` when a hand-over's counts do not match; it may
        # be absent (an install without it): then there is nothing to listen to.
        if find_spec("jiance.custody") is None or find_spec(CUSTODY_SIGNALS) is None:
            return
        from jiance.incidents.receivers import on_contents_mismatch

        signal = getattr(import_module(CUSTODY_SIGNALS), "contents_mismatch", None)
        if signal is not None:
            signal.connect(on_contents_mismatch, dispatch_uid="incidents.contents_mismatch")
