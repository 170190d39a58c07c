"""Dashboard passwords kept as slow hashes (scrypt from the standard library, a salt per user,
the parameters stored with the hash), checked in constant time: a copied store does not give
the passwords away cheaply."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB and some 50 ms a check: slow for a guesser, fine for a login
LENGTH = 32
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class PasswordError(ValueError):
    """A password the dashboard will not keep (too short, too long): said in one line."""


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, the salt fresh, both base64."""
    if not password:
        raise PasswordError("the password is empty")
    if len(password) < MIN_PASSWORD:
        raise PasswordError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise PasswordError(f"a password has at most {MAX_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, N, R, P)
    return "$".join([SCHEME, str(N), str(R), str(P), _b64(salt), _b64(digest)])


def verify(password: str, stored: str | None) -> bool:
    """Whether the password is the one hashed; with no stored hash (an unknown name) the same
    work is done against a dummy, so the answer takes as long either way."""
    try:
        scheme, n, r, p, salt, digest = (stored or _DUMMY).split("$")
        params = int(n), int(r), int(p)
        expected = base64.b64decode(digest)
        given = _scrypt(password[:MAX_PASSWORD], base64.b64decode(salt), *params)
    except ValueError:  # a hash not written by hash_password: nobody can log in with it
        return False
    return hmac.compare_digest(given, expected) and scheme == SCHEME and stored is not None


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * 1024 * 1024, dklen=LENGTH)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


_DUMMY = "$".join([SCHEME, str(N), str(R), str(P), _b64(b"\0" * 16), _b64(b"\0" * LENGTH)])
