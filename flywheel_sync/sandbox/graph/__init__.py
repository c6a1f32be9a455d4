"""The Microsoft Graph v1.0 emulator: Planner, Teams, the directory and ``$batch``."""
