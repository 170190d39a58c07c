"""Features: each is a folder that registers what it needs (inbox sources, buttons, thread
replies, after-action hooks, jobs, gauges) in the connector's registry from its `feature.py`,
and sees the connector only through connector.context.FeatureContext; its `models.py` and
`texts.py` are data the mapping loader reads. The spine names no feature; the composition root
(connector/assembly.py) lists them. See docs/architecture.md for how to add one."""
