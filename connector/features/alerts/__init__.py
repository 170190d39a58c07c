"""The alerts feature: monitoring alerts into a chat channel, L1 decides by buttons (feature.py
registers it)."""
