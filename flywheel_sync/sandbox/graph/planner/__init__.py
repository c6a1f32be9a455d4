"""Planner (Graph v1.0): plans, plan details, buckets, tasks and task details with ETags."""
