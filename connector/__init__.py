"""helpdesk-connector: written support regulations as helpdesk automation and ChatOps."""

# The one place the version is written: setup.cfg reads it (attr:), --version, /healthz and
# hdc_build_info show it. Bump it with each release and tag the commit vX.Y.Z (docs/upgrading.md).
__version__ = "0.2.0"
