"""The JSON API: thin controllers that decode input, call a service and return a schema."""
