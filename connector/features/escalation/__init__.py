"""The escalation feature's chat side: replies in a ticket's L2 thread go back to the ticket
(feature.py registers it; the rules that escalate live with the regulation's rules)."""
