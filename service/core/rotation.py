"""`dikta keys rotate-data-key`: a new data key, and everything re-sealed with it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from service.core.audio_files import read_audio, write_durably
from service.core.store import Dictation, NoteVersion, Store, Upload


@dataclass(frozen=True)
class RotationResult:
    key_id: str
    rows: int
    files: int


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
    return RotationResult(new_key, rows, files)
