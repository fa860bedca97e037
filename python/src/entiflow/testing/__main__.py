"""``python -m entiflow.testing APP.py [--input FILE|-] [--dump-state FILE]``."""

import sys

from ._cli import main

sys.exit(main())
