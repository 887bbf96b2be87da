"""`python -m issuer ...`: see issuer.cli."""

import sys

from issuer.cli import main

sys.exit(main())
