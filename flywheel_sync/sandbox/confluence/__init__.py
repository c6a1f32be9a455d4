"""The Confluence emulator: v1 content API (Cloud and Data Center paths) and v2 pages."""
