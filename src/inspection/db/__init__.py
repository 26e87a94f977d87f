"""Persistence: Piccolo tables, the engine, transactions and migrations."""
