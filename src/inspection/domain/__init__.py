"""Pure business rules: no I/O, no database, no clock; everything passed in."""
