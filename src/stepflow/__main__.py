"""``python -m stepflow`` is the ``stepflow`` command."""
import sys

from stepflow.cli import main

sys.exit(main())
