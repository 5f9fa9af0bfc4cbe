"""Start IRN Studio: ``python main.py [IMAGE] [--scale 4] [--layout 2x2] [--demo] [--screenshot OUT.png]``."""

import sys

from irn_studio.main import run

if __name__ == "__main__":
    sys.exit(run())
