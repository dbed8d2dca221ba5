"""``python -m rnngrad.experiments``: run, list or clear the chapter's experiments."""

from .cli import main

raise SystemExit(main())
