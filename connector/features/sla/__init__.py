"""SLA clocks on working-hours calendars: policies in each mapping's `sla:`, calendars in
calendars.yml, clocks as rows claimed when a threshold falls due (feature.py registers it)."""
