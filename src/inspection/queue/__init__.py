"""The task queue: outbox rows written with each change, a sweep that claims due rows, send jobs on arq."""
