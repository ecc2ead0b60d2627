"""Encryption at rest: AES-256-GCM for stored recordings and note text.

Every encrypted value carries the id of the key that sealed it ("enc1:<key id>:…"), so keys
can be rotated (`dikta keys rotate-data-key`) while older rows and backups stay readable.
Keys come from a key file (created 0600 on first use) or `DIKTA_SECURITY__DATA_KEY`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

TEXT_PREFIX = "enc1:"
BLOB_MAGIC = b"DKENC1"
_NONCE_BYTES = 12


class DataKeyError(RuntimeError):
    """No key, an unknown key id, or data that fails authentication (tampered)."""


@dataclass
class Keyring:
    keys: dict[str, bytes] = field(default_factory=dict)
    current: str = ""
    path: Path | None = None

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        if path.is_file():
            data = json.loads(path.read_text())
            return cls({k: base64.b64decode(v) for k, v in data["keys"].items()},
                       data["current"], path)
        ring = cls(path=path)
        ring.add_key()
        return ring

    @classmethod
    def from_secret(cls, secret_b64: str) -> Keyring:
        key = base64.b64decode(secret_b64)
        if len(key) != 32:
            raise DataKeyError("DIKTA_SECURITY__DATA_KEY must be 32 bytes, base64-encoded")
        return cls({"env": key}, "env")

    def derived_key(self, purpose: str) -> bytes:
        """A key for `purpose` (e.g. signing cursors) that every process sharing this keyring
        derives alike, and that stays the same across restarts and key rotation (it comes
        from the oldest key kept)."""
        oldest = next(iter(self.keys.values()))
        return hmac.new(oldest, f"dikta derived key: {purpose}".encode(), hashlib.sha256).digest()

    def add_key(self) -> str:
        """A new current key; older keys stay for reading."""
        key_id = f"k{len(self.keys) + 1}-{secrets.token_hex(3)}"
        self.keys[key_id] = secrets.token_bytes(32)
        self.current = key_id
        self._save()
        return key_id

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"current": self.current,
                       "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()}},
                      handle)
        os.replace(tmp, self.path)

    # --- bytes ------------------------------------------------------------------------

    def seal(self, data: bytes, key_id: str | None = None, *, context: bytes = b"") -> bytes:
        """AES-GCM over `data`; `context` (e.g. an upload id and offset) is authenticated
        but not stored, so a sealed piece cannot be moved to another place unnoticed."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key_id = key_id or self.current
        nonce = secrets.token_bytes(_NONCE_BYTES)
        kid = key_id.encode()
        header = BLOB_MAGIC + bytes([len(kid)]) + kid
        return header + nonce + AESGCM(self.keys[key_id]).encrypt(nonce, data,
                                                                  header + context)

    def open(self, blob: bytes, *, context: bytes = b"") -> bytes:
        if not blob.startswith(BLOB_MAGIC):
            return blob  # written before encryption was on: readable, re-sealed on rotation
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        length = blob[len(BLOB_MAGIC)]
        start = len(BLOB_MAGIC) + 1
        key_id = blob[start:start + length].decode()
        header = blob[:start + length]
        nonce = blob[start + length:start + length + _NONCE_BYTES]
        if key_id not in self.keys:
            raise DataKeyError(f"data sealed with unknown key '{key_id}'")
        try:
            return AESGCM(self.keys[key_id]).decrypt(nonce, blob[len(header) + _NONCE_BYTES:],
                                                     header + context)
        except InvalidTag:
            raise DataKeyError("encrypted data failed authentication (altered?)") from None

    @staticmethod
    def key_id_of(blob: bytes) -> str | None:
        if not blob.startswith(BLOB_MAGIC):
            return None
        length = blob[len(BLOB_MAGIC)]
        return blob[len(BLOB_MAGIC) + 1:len(BLOB_MAGIC) + 1 + length].decode()

    # --- text -------------------------------------------------------------------------

    def seal_text(self, text: str) -> str:
        return TEXT_PREFIX + base64.b64encode(self.seal(text.encode())).decode()

    def open_text(self, value: str) -> str:
        if not value.startswith(TEXT_PREFIX):
            return value
        return self.open(base64.b64decode(value[len(TEXT_PREFIX):])).decode()


_ACTIVE: list[Keyring | None] = [None]


def use_keyring(keyring: Keyring | None) -> None:
    """The keyring the encrypted columns use in this process (set by the store's owner)."""
    _ACTIVE[0] = keyring


def active_keyring() -> Keyring | None:
    return _ACTIVE[0]


def keyring_for(settings) -> Keyring:
    secret = settings.security.data_key.get_secret_value() if settings.security.data_key \
        else None
    if secret:
        return Keyring.from_secret(secret)
    path = settings.security.data_key_file or settings.data_dir / "keys" / "data-keys.json"
    return Keyring.load_or_create(Path(path))
