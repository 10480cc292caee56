"""Event sources: local queues, streams and table streams, and pollers for external ones."""
