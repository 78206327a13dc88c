"""``python -m portal`` = ``monespace-portal``."""

import sys

from portal.cli import main

sys.exit(main())
