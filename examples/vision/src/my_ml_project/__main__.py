"""Allow `python -m my_ml_project`."""

from my_ml_project.cli import main

raise SystemExit(main())
