"""Which outage rooms are open for a catalog service now: what the alerts feature asks through
the FeatureContext (registry.service_rooms), so alerts for a service in a declared outage reach
its room without the alerts feature knowing outages."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from connector.context import FeatureContext, ServiceRoom
from connector.events import TicketRef
from connector.features.outage import store
from connector.features.outage.flows import HOME


def open_rooms(c: FeatureContext, conn: Connection, service: str) -> list[ServiceRoom]:
    """The rooms of the service's outages not yet over (none for a service not in one)."""
    if not service:
        return []
    finals = {m.outage.stages[-1].name for m in c.mappings.by_name.values() if m.outage}
    return [ServiceRoom(TicketRef.parse(row.ticket), HOME)
            for row in store.open_for_service(conn, finals, service)]
