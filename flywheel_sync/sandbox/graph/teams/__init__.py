"""Teams (Graph v1.0): the team, its channels, channel messages and replies."""
