"""Pure data: function configuration, limits, ARNs, SAM templates and projects. No I/O beyond reading files."""
