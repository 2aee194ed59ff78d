"""``python -m phonogap.cli``: the ``phonogap`` command."""

import sys

from phonogap.cli import main

sys.exit(main())
