"""The Jira emulator (Cloud REST v3 and Data Center REST v2 flavours)."""
