"""Checklist files: their schema, validation and loading into versions."""
