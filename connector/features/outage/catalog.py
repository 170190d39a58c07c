"""The service catalog (mappings/catalog.yml): which services there are, who answers for each,
who is on duty, what each depends on, where outages are announced, how to look at its metrics,
and — where support runs under a state contract — the contractor's work group (EMIAS: IT
service → product → related service, as data). Outage rooms invite from it and approve joins
by it."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from connector.errors import format_problem
from connector.validators import RoleNames, SlackMemberId, TelegramUserId

ServiceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A service's criticality (EMIAS: «стандартизирован подход к определению критичности
# сервисов»), most critical first: it picks the outage's stage norms and who is told.
Criticality = Literal["critical", "high", "normal", "low"]
CRITICALITIES: tuple[Criticality, ...] = get_args(Criticality)


def _addresses(value: list[str]) -> list[str]:
    for address in value:
        if not _EMAIL.match(address):
            raise ValueError(f"{address!r} is not an e-mail address")
    return value


def _plain(text: str) -> str:
    """Lower case, «ё» as «е», quotes and extra spaces aside: how МО names are compared."""
    kept = text.casefold().replace("ё", "е").translate(str.maketrans("", "", "«»\"'„“”"))
    return " ".join(kept.split())


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Strict):
    """Someone the catalog names, under every identity the connector meets them by."""

    name: str = Field(min_length=1)  # how texts name them, e.g. «Иванова А. С.»
    roles: RoleNames = []  # names the team gives (duty, l2…): an SLA threshold's `role:`
    email: str = ""
    slack: SlackMemberId = ""
    telegram: TelegramUserId = None
    gitlab: str = ""
    mantis: str = ""
    otrs: str = ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value


class Query(Strict):
    """A Prometheus query answering `/metrics <service>` (and sampled for affected users)."""

    title: str = Field(min_length=1)  # «Ошибки 5xx, %»
    promql: str = Field(min_length=1)


class Contract(Strict):
    """Support under a state contract: after an outage the contractor's work group reports."""

    contractor: str = Field(min_length=1)
    work_group: str = Field(min_length=1)  # the people key of the group (see `people`)
    tracker_project: str = ""  # where its "outage on the contractor" ticket goes
    contract: str = ""  # the contract's number, for the report


class Service(Strict):
    title: str = Field(min_length=1)  # how people call it: «Электронный рецепт — API аптек»
    responsible: list[str] = Field(min_length=1)  # people keys: the ticket is assigned to the first
    duty: list[str] = []  # duty engineers invited to every outage of it
    l1: list[str] = []
    related: list[ServiceId] = []  # services whose owners are asked "healthy or affected?"
    info_channels: list[str] = []  # logical chat channels outages are announced in
    mailing_lists: list[str] = []
    monitoring: list[Query] = []
    affected_users: Query | None = None  # sampled at declaration and at restore
    contract: Contract | None = None
    criticality: Criticality = "normal"
    # Clients and MOs told of its outages (Belarus §4.3.1, Sevastopol §2.7): chat channels
    # and mailing lists of their own, beside the catalog's `clients:` targets.
    client_channels: list[str] = []
    client_mailing_lists: list[str] = []

    @field_validator("mailing_lists", "client_mailing_lists")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return _addresses(value)


class Clients(Strict):
    """Where every service at least as critical as `criticality` tells its clients of an
    outage (a service adds its own `client_channels` / `client_mailing_lists`)."""

    channels: list[str] = []
    mailing_lists: list[str] = []
    criticality: Criticality = "low"  # every service, by default

    @field_validator("mailing_lists")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return _addresses(value)


class Organisation(Strict):
    """A medical organisation (МО) requests come from (Sevastopol): how requests name it,
    who files them, and the mailing lists its management is told through (§2.9)."""

    title: str = Field(min_length=1)  # «ГБУЗС «Городская больница № 1»»
    names: list[str] = []  # other ways a request's МО field or line names it
    reporters: list[str] = []  # tracker usernames of its applicants (§2.2)
    mailing_lists: list[str] = []

    @field_validator("mailing_lists")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return _addresses(value)


class Catalog(Strict):
    """People by key, the head of support, services by id, medical organisations by code."""

    people: dict[str, Person] = {}
    head_of_support: str | None = None
    services: dict[ServiceId, Service] = {}
    organisations: dict[ServiceId, Organisation] = {}

    def l1_usernames(self, tracker: str) -> set[str]:
        """The tracker usernames of every service's L1 people (`mantis:`, `otrs:`, …)."""
        keys = {key for service in self.services.values() for key in service.l1}
        return {name for key in keys if key in self.people
                for name in [str(getattr(self.people[key], tracker, "") or "")] if name}

    def holding(self, role: str) -> list[Person]:
        """Everyone holding `role`, in the catalog's order."""
        return [p for p in self.people.values() if role in p.roles]

    def organisation(self, named: str = "", reporter: str = "") -> str | None:
        """The code of the МО a request names (by code, title or another name; case and
        spaces aside), else of the one its reporter files for; None when neither is known."""
        wanted = _plain(named)
        if wanted:
            for code, org in self.organisations.items():
                if wanted in {_plain(code), _plain(org.title), *map(_plain, org.names)}:
                    return code
        return next((code for code, org in self.organisations.items()
                     if reporter and reporter in org.reporters), None)
    clients: Clients = Clients()

    def problems(self, file: str, prefix: str = "catalog.") -> list[str]:
        """References that lead nowhere: `file: key: problem — fix`, one per line."""
        found: list[str] = []
        known = ", ".join(sorted(self.people)) or "none yet"
        if self.head_of_support is not None and self.head_of_support not in self.people:
            found.append(format_problem(file, f"{prefix}head_of_support", f"no person "
                                        f"{self.head_of_support!r}", f"use one of: {known}"))
        for sid, service in self.services.items():
            for role in ("responsible", "duty", "l1"):
                for i, key in enumerate(getattr(service, role)):
                    if key not in self.people:
                        found.append(format_problem(file, f"{prefix}services.{sid}.{role}[{i}]",
                                                    f"no person {key!r}",
                                                    f"add them under people:, or use one of: "
                                                    f"{known}"))
            for i, other in enumerate(service.related):
                if other == sid or other not in self.services:
                    found.append(format_problem(
                        file, f"{prefix}services.{sid}.related[{i}]",
                        "a service is not related to itself" if other == sid
                        else f"no service {other!r}", "name another service of the catalog"))
            if service.contract and service.contract.work_group not in self.people:
                found.append(format_problem(file, f"{prefix}services.{sid}.contract.work_group",
                                            f"no person {service.contract.work_group!r}",
                                            "add the work group under people:"))
        return found

    def client_problems(self, file: str, channels: set[str] | None, mail: bool) -> list[str]:
        """Client targets the config cannot reach: a channel no chat defines (`channels`:
        None with no chat at all, where chat actions run dry), mailing lists with no `mail:`
        to send by (clients would silently not be told)."""
        found: list[str] = []
        places = [("catalog.clients", self.clients.channels, self.clients.mailing_lists),
                  *((f"catalog.services.{sid}", s.client_channels, s.client_mailing_lists)
                    for sid, s in self.services.items())]
        for key, wanted, lists in places:
            field = "channels" if key == "catalog.clients" else "client_channels"
            found += [format_problem(file, f"{key}.{field}[{i}]",
                                     f"clients are told in channel {channel!r}, but no chat "
                                     f"defines it", f"add `{channel}: <channel id>` under a "
                                     f"chat's channels in the config")
                      for i, channel in enumerate(wanted)
                      if channels is not None and channel not in channels]
            if lists and not mail:
                field = "mailing_lists" if key == "catalog.clients" else "client_mailing_lists"
                found.append(format_problem(file, f"{key}.{field}", "clients are told by "
                                            "e-mail, but the config has no mail: section",
                                            "configure mail: (SMTP) or remove the lists"))
        return found

    def client_targets(self, sid: str) -> tuple[list[str], list[str]]:
        """The chat channels and mailing lists told of an outage of `sid`: its own, and the
        catalog's when it is critical enough."""
        service, shared = self.services[sid], self.clients
        wide = CRITICALITIES.index(service.criticality) <= CRITICALITIES.index(
            shared.criticality)
        return (list(dict.fromkeys([*service.client_channels,
                                    *(shared.channels if wide else [])])),
                list(dict.fromkeys([*service.client_mailing_lists,
                                    *(shared.mailing_lists if wide else [])])))

    def responders(self, sid: str) -> list[Person]:
        """Who a room for an outage of `sid` invites: responsible, duty, L1, head of support."""
        service = self.services[sid]
        keys = [*service.responsible, *service.duty, *service.l1,
                *([self.head_of_support] if self.head_of_support else [])]
        return [self.people[k] for k in dict.fromkeys(keys)]

    def keyed(self, chat: str, user_id: str) -> tuple[str, Person] | None:
        """The key and person the catalog knows under this chat identity."""
        return next(((k, p) for k, p in self.people.items()
                     if (chat == "slack" and p.slack and p.slack == user_id)
                     or (chat == "telegram" and p.telegram is not None
                         and str(p.telegram) == user_id)), None)

    def person(self, chat: str, user_id: str) -> Person | None:
        """Whoever the catalog knows under this chat identity."""
        found = self.keyed(chat, user_id)
        return found[1] if found else None

    def member(self, sid: str, *, slack: str = "", telegram: int | None = None) -> Person | None:
        """The responder of `sid` with this chat identity, if any (join requests, buttons)."""
        for person in self.responders(sid):
            if (slack and person.slack == slack) or (telegram and person.telegram == telegram):
                return person
        return None
