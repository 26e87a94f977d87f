"""Use cases: each function checks who asks, validates, and writes in one transaction."""
