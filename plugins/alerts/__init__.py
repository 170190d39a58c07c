"""Monitoring alerts in: Prometheus Alertmanager's webhook format and a documented generic one."""
