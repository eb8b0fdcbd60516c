"""`python -m pipelines`: the command line, whose parser and exit codes live in pipelines/cli/main.py."""

import sys

from pipelines.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
