"""The asyncio core: façade, environments, pool, logs, traces, events, clock, store. Never imports Qt."""
