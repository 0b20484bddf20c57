"""URL parameters of jiance.notifications routes for the access walk."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 93_000_000


@param("notification_id", missing="999999999")
def notification_id(school: Unit) -> str:
    """A notification of a user of the school (someone else's, for every walker but that one)."""
    from jiance import clock
    from jiance.notifications.models import Notification
    from tests.factories import make_user

    pk = ID_BASE + school.pk
    if not Notification.objects.filter(pk=pk).exists():
        user = make_user(f"walk-notify-{school.code}", "school_info", school)
        Notification.objects.create(pk=pk, recipient=user, unit=school, kind="deadline", key=f"walk:{pk}",
                                    title="走查提醒", url="/", created_at=clock.now())
    return str(pk)
