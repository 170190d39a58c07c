"""Hostile requests for the webhook receivers, one module per concern (values to checks)."""
