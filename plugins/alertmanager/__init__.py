"""Prometheus Alertmanager's API v2: silences created and expired from the alerts channel."""
