"""Triggers: the event source mappings, live, and the dialog that adds or edits one."""
