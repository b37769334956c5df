"""``python -m numpynn`` runs the ``numpynn`` command."""

from numpynn.cli import main

raise SystemExit(main())
