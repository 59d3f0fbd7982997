"""``python -m sockkit``: the command line."""

from sockkit.cli import main

raise SystemExit(main())
