"""Dashboard passwords are kept as scrypt hashes with their own salt and parameters: the store
never holds the password, and only the password opens it."""

from __future__ import annotations

import pytest

from connector.features.reports.dashboard.passwords import PasswordError, hash_password, verify


def test_the_hash_is_scrypt_with_a_fresh_salt_and_never_the_password() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in first
    assert first != second  # a salt of its own


@pytest.mark.parametrize(("given", "opens"), [
    ("correct horse battery", True),
    ("correct horse batter", False),
    ("Correct horse battery", False),
    ("", False),
])
def test_only_the_password_opens_its_hash(given: str, opens: bool) -> None:
    assert verify(given, hash_password("correct horse battery")) is opens


@pytest.mark.parametrize("stored", [None, "", "plain-text", "scrypt$x$8$1$AA==$AA==",
                                    "md5$1$1$1$AA==$AA=="])
def test_no_stored_hash_or_a_foreign_one_opens_nothing(stored: str | None) -> None:
    assert verify("anything at all", stored) is False


@pytest.mark.parametrize(("password", "reason"), [
    ("", "the password is empty"),
    ("short", "a password has at least 8 characters"),
    ("x" * 1025, "a password has at most 1024 characters"),
])
def test_a_password_the_dashboard_will_not_keep_is_said_in_one_line(password: str,
                                                                    reason: str) -> None:
    with pytest.raises(PasswordError, match=f"^{reason}$"):
        hash_password(password)
