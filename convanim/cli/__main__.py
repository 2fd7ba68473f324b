"""``python -m convanim.cli``: the ``convanim`` command."""

import sys

from . import main

sys.exit(main())
