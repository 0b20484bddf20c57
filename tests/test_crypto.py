from __future__ import annotations

import pytest
from django.test import override_settings

from jiance.crypto import EncryptedTextField, blind_index, decrypt, encrypt, masked_id

ID = "11010519491231002X"
OTHER_KEY = "b3RoZXIta2V5LWZvci10ZXN0cy1vbmx5LTAxMjM0NTY="


def test_ciphertext_hides_the_number_and_round_trips() -> None:
    token = encrypt(ID)
    assert ID not in token and "19491231" not in token
    assert encrypt(ID) != token  # random IV: equal numbers do not look equal at rest
    assert decrypt(token) == ID


def test_blind_index_is_deterministic_normalised_and_keyed() -> None:
    assert blind_index(ID) == blind_index(ID.lower()) == blind_index(f" {ID} ")
    assert blind_index(ID) != blind_index("110105194912310038")
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY):
        other = blind_index(ID)
    assert other != blind_index(ID)


def test_wrong_key_cannot_decrypt() -> None:
    token = encrypt(ID)
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY), pytest.raises(ValueError, match="无法解密"):
        decrypt(token)


def test_field_encrypts_on_the_way_in_and_decrypts_on_the_way_out() -> None:
    field = EncryptedTextField()
    stored = field.get_prep_value(ID)
    assert stored != ID
    assert field.from_db_value(stored, None, None) == ID
    assert field.get_prep_value("") == "" and field.get_prep_value(None) is None


def test_masked_on_screen_shows_last_four_only() -> None:
    assert masked_id(ID) == "*" * 14 + "002X"
    assert masked_id("") == ""
