"""Errors of the model registry."""

from __future__ import annotations

from structuring.errors import DiktaError


class ModelError(DiktaError):
    """A model cannot be found, assembled or loaded."""


class ModelNotFoundError(ModelError):
    """No registered model has that name, and it is no model directory either."""


class ModelPackageMissingError(ModelError):
    """A Python package that ships the default model's files is not installed."""


class ModelIntegrityError(ModelError):
    """Assembled model files do not match the expected size or hash."""


class InvalidModelDirError(ModelError):
    """A directory lacks the files faster-whisper needs to load it offline."""
