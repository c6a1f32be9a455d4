"""Connectors: read records from Jira, Confluence, Planner, Teams and Project, and write back.

Each tool's connector drives that tool's real client library. Connectors never import
``flywheel_sync``: data flows from them into the engine, not the other way.
"""
