"""Outgoing e-mail: rendering the templates and handing messages to SMTP or to ``.eml`` files."""
