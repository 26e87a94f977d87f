"""Checklist files: validation and loading into versions (the schema: :mod:`inspection.domain.checklist`)."""
