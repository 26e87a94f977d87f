"""Inspection and supervision system."""
