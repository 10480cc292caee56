"""Runtime bootstraps shipped into execution environments (standard library only, no workbench imports)."""
