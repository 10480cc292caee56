"""The pipeline view: runs per commit, their stages and logs, and the alias traffic of a canary drawn over time."""
