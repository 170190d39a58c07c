"""The monitoring section of the config (`prometheus:`)."""

from __future__ import annotations

from connector.configbase import HttpService


class PrometheusConfig(HttpService):
    """url: http://prometheus:9090; a bearer token behind a proxy that asks for one."""
