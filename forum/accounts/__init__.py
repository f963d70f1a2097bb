"""People, roles, personal API tokens and logging in."""
