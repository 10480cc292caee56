"""The Lambda Runtime API that execution environments call (spec §1), one loopback endpoint each."""
