"""``python -m builder`` is the same program as the ``build`` command."""

import sys

from builder.cli import main

sys.exit(main())
