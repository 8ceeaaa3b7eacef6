"""Bearer tokens that allow writes over HTTP: made once, stored only as hashes.

``kg token create --name NAME`` prints a new token once; the file named by ``KG_TOKENS_FILE``
keeps only its SHA-256 hash, its name and when it was made, so a copy of the file lets nobody
write. A token is 256 random bits, so a plain hash is as strong as a slow one here (a slow hash
protects guessable passwords, not random keys). Checking a presented token hashes it and
compares it with every stored hash in constant time, without stopping at a match, so the time
taken says nothing about which token, or how much of one, was right. Revoking removes the
hash; a running server reads the file again when it changes, so a revoked token stops working
at its next request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock

PREFIX = "kgw_"
"""Tokens start with this, so that a leaked one is recognisable (and scanners can find it)."""


class TokenError(Exception):
    """The tokens file cannot be used, or a name is wrong; the message says which."""


@dataclass(frozen=True)
class StoredToken:
    name: str
    digest: str
    created: str


def digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex.

    >>> digest("kgw_x")[:12]
    'bce891db9f59'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def read_tokens(path: Path) -> list[StoredToken]:
    """The tokens the file holds (none if it does not exist yet)."""
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return [StoredToken(t["name"], t["sha256"], t["created"]) for t in document["tokens"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TokenError(f"{path}: not a tokens file kg can read ({error})") from error


def _write(path: Path, tokens: list[StoredToken]) -> None:
    """Replace the file at once (a reader never sees half of it), readable by its owner only."""
    document = {
        "tokens": [{"name": t.name, "sha256": t.digest, "created": t.created} for t in tokens]
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=2)
            file.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_token(path: Path, name: str) -> str:
    """A new token named ``name`` (stored hashed); the token itself is returned, once."""
    if not name.strip() or any(c.isspace() for c in name) or len(name) > 64:
        raise TokenError("a token name is 1 to 64 characters without spaces (who or what "
                         "writes with it: curation-bot, alice)")
    tokens = read_tokens(path)
    if any(t.name == name for t in tokens):
        raise TokenError(f"a token named {name!r} exists; revoke it first or choose another name")
    token = PREFIX + secrets.token_urlsafe(32)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    _write(path, [*tokens, StoredToken(name, digest(token), created)])
    return token


def revoke_token(path: Path, name: str) -> bool:
    """Remove the token named ``name``; False if there was none."""
    tokens = read_tokens(path)
    kept = [t for t in tokens if t.name != name]
    if len(kept) == len(tokens):
        return False
    _write(path, kept)
    return True


class TokenCheck:
    """Checks presented tokens against a tokens file, reread whenever it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = Lock()
        self._stamp: tuple[int, int] | None = None
        self._tokens: list[StoredToken] = []

    def _current(self) -> list[StoredToken]:
        try:
            status = self.path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                self._tokens = read_tokens(self.path)
                self._stamp = stamp
            return self._tokens

    def configured(self) -> bool:
        """Whether any token exists: without one, the server takes no writes at all."""
        return bool(self._current())

    def name_of(self, presented: str) -> str | None:
        """The name of the token presented, or None; constant time over the stored tokens."""
        wanted = digest(presented).encode("ascii")
        found: str | None = None
        for token in self._current():
            if hmac.compare_digest(wanted, token.digest.encode("ascii")):
                found = token.name
        return found
