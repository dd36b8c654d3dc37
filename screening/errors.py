"""Exceptions. `UsageError`s stop a command (exit 2); `AttachmentError`s become findings."""

from __future__ import annotations


class ScreeningError(Exception):
    """Base of every error the package raises on purpose."""


class UsageError(ScreeningError):
    """The command cannot do its work: bad arguments, unreadable input files. Exit code 2."""


class ConfigError(UsageError):
    """A call file (pipelines/*.yaml) or lexicon is missing or invalid."""


class ApplicationError(UsageError):
    """application.json is missing, not JSON, or does not follow the contract."""


class AttachmentError(ScreeningError):
    """One attachment could not be read; becomes a `document.*` finding, the run goes on."""

    rule = "document.unreadable"

    def __init__(self, message: str, *, page: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.page = page


class UnsupportedError(AttachmentError):
    rule = "document.unsupported"


class EncryptedError(AttachmentError):
    rule = "document.encrypted"


class CorruptError(AttachmentError):
    rule = "document.unreadable"


class TooLargeError(AttachmentError):
    """An attachment too big to read safely: too many zip entries, too much data, a zip bomb."""

    rule = "document.too_large"
