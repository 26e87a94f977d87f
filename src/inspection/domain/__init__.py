"""Pure business rules: no I/O, no database, the current time passed in; of ours only errors and clock."""
