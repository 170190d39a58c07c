"""OTRS/Znuny's section of the config (trackers.otrs)."""

from __future__ import annotations

from pydantic import SecretStr

from connector.configbase import TrackerConfig


class OtrsConfig(TrackerConfig):
    """OTRS/Znuny: base_url is the web service, …/nph-genericinterface.pl/Webservice/<Name>."""

    user: str = ""  # agent the connector logs in as (SessionCreate)
    password: SecretStr = SecretStr("")
    webhook_user: str = "znuny"  # Basic auth the invokers send; webhook_secret is its password

    def credential(self) -> str:
        return self.password.get_secret_value()
