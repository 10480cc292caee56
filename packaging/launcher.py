"""The bundle's entry point: the `workbench` command, GUI and CLI alike (PyInstaller freezes this script).

A frozen bundle has no `python -m`: where the workbench starts a Python module as a child process with
`sys.executable -m MODULE` (the local services' moto server), sys.executable is this bundle, so it answers
`-m` itself for those modules, and only those.
"""

import runpy
import sys

#: Modules the workbench runs as child processes through `sys.executable -m`.
CHILD_MODULES = ("moto.server",)

if len(sys.argv) > 2 and sys.argv[1] == "-m" and sys.argv[2] in CHILD_MODULES:
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    raise SystemExit(0)

from workbench.cli import main  # noqa: E402 - only when not a child module

raise SystemExit(main())
