"""Mail through the team's SMTP server: outage notices to the catalog's mailing lists."""
