"""The errors archive-builder raises on purpose.

    ArchiveError
    ├── InputError      one content file cannot become a page: the build skips it,
    │                   reports it in a numbered list and goes on
    ├── ConfigError     the settings or the command line are wrong: nothing is built
    └── OutputError     the output folder cannot be written or replaced safely

Anything else that escapes a stage is a bug in the builder and is meant to crash
loudly, not to be swallowed.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of the errors the builder raises on purpose."""


class InputError(ArchiveError):
    """Raised when one input file cannot be read, decoded or understood."""

    def __init__(self, path: str, stage: str, message: str, line: int | None = None):
        self.path = path
        self.stage = stage
        self.message = message
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: [{stage}] {message}")


class ConfigError(ArchiveError):
    """Raised when a setting, flag or settings file is invalid."""


class OutputError(ArchiveError):
    """Raised when the output folder cannot be prepared, written or swapped in."""
