"""Reports for the head of support: reliability by the EMIAS method, stage durations against
norms, problems, SLA compliance and the request flow — figures over what the connector stored,
in the terminal, the browser, the chat and the tracker (feature.py registers it)."""
