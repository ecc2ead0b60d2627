"""Column types that seal patient text with the active data key (AES-GCM, see
`service.core.crypto`): what the database holds is ciphertext; legacy plain text reads as is.
`dikta keys rotate-data-key` (`service.core.rotation`) finds every column of these types.
"""

from __future__ import annotations

import json

from sqlalchemy import Text, TypeDecorator


class EncryptedText(TypeDecorator):
    """Text sealed with the active data key (AES-GCM); legacy plain text reads as is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        from service.core.crypto import active_keyring

        ring = active_keyring()
        return ring.seal_text(value) if value is not None and ring is not None else value

    def process_result_value(self, value, dialect):
        from service.core.crypto import TEXT_PREFIX, DataKeyError, active_keyring

        if value is None or not value.startswith(TEXT_PREFIX):
            return value
        ring = active_keyring()
        if ring is None:
            raise DataKeyError("encrypted data, but no data key is configured")
        return ring.open_text(value)


class EncryptedJSON(EncryptedText):
    """JSON, serialised and then sealed like EncryptedText."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return super().process_bind_param(json.dumps(value, ensure_ascii=False), dialect)

    def process_result_value(self, value, dialect):
        plain = super().process_result_value(value, dialect)
        if plain is None:
            return None
        return json.loads(plain) if isinstance(plain, str) else plain
