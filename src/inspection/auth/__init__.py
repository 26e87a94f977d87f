"""Who is asking: passwords, sessions, API tokens and the roles that decide what they may do."""
