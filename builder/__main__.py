"""``python -m builder`` is the same program as the ``build`` command."""

from builder.cli import console

console()
