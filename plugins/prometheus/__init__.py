"""Prometheus' HTTP API: the catalog's monitoring queries, asked for by /metrics and sampled for
affected users."""
