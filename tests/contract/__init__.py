"""Contract tests: the sandbox's exchanges validated against the vendors' OpenAPI subsets."""
