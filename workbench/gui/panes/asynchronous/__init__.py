"""Asynchronous invocation, visible: the queue, each event's attempts, the configuration."""
