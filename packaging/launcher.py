"""The bundle's entry point: the `workbench` command, GUI and CLI alike (PyInstaller freezes this script)."""

from workbench.cli import main

raise SystemExit(main())
