"""One executor per tool: they make a plan's writes through the connectors, batched as allowed."""
