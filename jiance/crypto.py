"""Personal data at rest: national ID numbers are encrypted (Fernet: AES-128-CBC + HMAC-SHA256)
and findable only through a keyed blind index (HMAC-SHA256), never in clear text.

The key comes from settings.FIELD_ENCRYPTION_KEY; the blind-index key is derived from it, so
one secret is enough to configure and rotating it means re-encrypting (a management task).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

from jiance_core.idcard import mask


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode("ascii"))


@lru_cache(maxsize=4)
def _index_key(key: str) -> bytes:
    return hashlib.sha256(b"jiance-blind-index-v1:" + base64.urlsafe_b64decode(key)).digest()


def encrypt(plain: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("无法解密：密钥不匹配或数据已损坏") from exc


def encrypt_bytes(plain: bytes) -> bytes:
    """A file at rest (uploaded implementation documents): the same key as the ID numbers."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(bytes(token))
    except InvalidToken as exc:
        raise ValueError("无法解密：密钥不匹配或数据已损坏") from exc


def blind_index(value: str) -> str:
    """A keyed, deterministic digest for equality look-ups and uniqueness checks."""
    normalised = value.strip().upper()
    return hmac.new(_index_key(settings.FIELD_ENCRYPTION_KEY), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores ciphertext; the Python value is the clear text. Not searchable: pair it with a
    `blind_index` column."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def masked_id(value: str | None) -> str:
    return mask(value) if value else ""
