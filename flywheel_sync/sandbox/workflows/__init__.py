"""Teams Workflows (Power Automate) webhooks, and the inbox of cards they received."""
