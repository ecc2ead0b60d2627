"""`dikta keys rotate-data-key`: a new data key, and everything re-sealed with it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from service.core.audio_files import read_audio, write_durably
from service.core.sealed_columns import EncryptedText
from service.core.store import (
    Base,
    Dictation,
    NoteVersion,
    Store,
    Upload,
)


@dataclass(frozen=True)
class RotationResult:
    key_id: str
    rows: int
    files: int


_RESEALED_ABOVE = {Dictation, NoteVersion, Upload}


def _reseal_other_tables(session) -> int:
    """Every other mapped table with sealed columns (a use case's own: alarms, pseudonym
    secrets …), found through the ORM registry so a new table is not forgotten here."""
    rows = 0
    for mapper in Base.registry.mappers:
        sealed = [c.key for c in mapper.columns if isinstance(c.type, EncryptedText)]
        if mapper.class_ in _RESEALED_ABOVE or not sealed:
            continue
        for row in session.scalars(select(mapper.class_)):
            for column in sealed:
                flag_modified(row, column)
            rows += 1
    return rows


def rotate_data_key(store: Store, keyring) -> RotationResult:
    from pathlib import Path

    if keyring.path is None:
        raise ValueError("the data key comes from DIKTA_SECURITY__DATA_KEY; rotate it there "
                         "(set the new key and keep reading the old data with a key file)")
    new_key = keyring.add_key()
    rows = files = 0
    with store.session() as s, s.begin():
        for row in s.scalars(select(Dictation)):
            flag_modified(row, "note")  # read with the old key, written with the new
            rows += 1
            if row.audio_path and Path(row.audio_path).is_file():
                write_durably(Path(row.audio_path), read_audio(row.audio_path))
                files += 1
        for version in s.scalars(select(NoteVersion)):
            flag_modified(version, "text")
            flag_modified(version, "note")
            rows += 1
        for upload in s.scalars(select(Upload).where(Upload.upload_metadata.is_not(None))):
            flag_modified(upload, "upload_metadata")
            rows += 1
        rows += _reseal_other_tables(s)
    return RotationResult(new_key, rows, files)
