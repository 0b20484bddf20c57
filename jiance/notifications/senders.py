"""How a notification leaves the platform besides the in-app list: pluggable senders.

`JIANCE_NOTIFY_SENDERS` lists dotted paths of sender classes (default: the logging sender). Each
has `send(notification)`; a failing sender is logged and does not stop the others (the in-app
notification is kept either way). `EmailSender` uses Django's e-mail backend (`EMAIL_*` settings);
`SmsSender` is the interface for a text-message gateway: subclass it and override `send_sms` —
by default it only logs what it would send.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from jiance.notifications.models import Notification

log = logging.getLogger("jiance.notifications")


class Sender(Protocol):
    def send(self, notification: Notification) -> None: ...


def _text(n: Notification) -> str:
    return f"【监测平台】{n.title}" + (f" {n.url}" if n.url else "")


class LoggingSender:
    """The default: writes each notification to the log (nothing leaves the machine)."""

    def send(self, notification: Notification) -> None:
        log.info("提醒 → %s：%s", notification.recipient.get_username(), _text(notification))


class EmailSender:
    """E-mail through Django's backend, to the recipient's address (skipped when there is none)."""

    def send(self, notification: Notification) -> None:
        address = getattr(notification.recipient, "email", "")
        if not address:
            return
        base = getattr(settings, "JIANCE_SITE_URL", "").rstrip("/")
        body = notification.title + (f"\n\n{base}{notification.url}" if notification.url else "")
        send_mail(f"【监测平台】{notification.title}"[:120], body, None, [address])


class SmsSender:
    """Text messages to the recipient's phone. Override `send_sms` with a gateway's client; this
    default logs what it would send."""

    def send(self, notification: Notification) -> None:
        phone = getattr(notification.recipient, "phone", "")
        if phone:
            self.send_sms(phone, _text(notification)[:70])

    def send_sms(self, phone: str, text: str) -> None:
        log.info("短信 → %s：%s", phone, text)


@cache
def _senders(paths: tuple[str, ...]) -> tuple[Sender, ...]:
    return tuple(import_string(p)() for p in paths)


def configured_senders() -> tuple[Sender, ...]:
    return _senders(tuple(getattr(settings, "JIANCE_NOTIFY_SENDERS", ["jiance.notifications.senders.LoggingSender"])))


def deliver(notifications: list[Notification]) -> None:
    """Hand each new notification to every configured sender."""
    for n in notifications:
        for sender in configured_senders():
            try:
                sender.send(n)
            except Exception:  # one failing channel must not stop the others
                log.exception("提醒发送失败：%s → %s", type(sender).__name__, n.recipient_id)
