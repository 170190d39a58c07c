"""Mass outages: the service catalog, a room per outage with the right people in it, the
lifecycle driven from its pinned status message by status and role, the timeline (feature.py
registers it)."""
