"""The demo organisation's Entra objects as Graph v1.0 returns them: its group and its users.

Graph returns a *default* property set unless ``$select`` asks for more: a user's
``department`` and ``companyName``, for instance, only come back when selected (learn.microsoft
.com "user resource type", default properties). Each type is therefore three tables: the
properties returned by default, those returned only when selected, and the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.demo import DemoOrganisation
from flywheel_sync.sandbox.demo.people import DOMAIN

__all__ = ["GROUP", "USER", "DirectoryType", "JsonObject", "group_of", "team_of", "users_of"]

JsonObject = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class DirectoryType:
    """A directory object type: what Graph returns by default and what ``$select`` may add."""

    name: str
    """The qualified type name Graph's errors use (``microsoft.graph.user``)."""
    default: tuple[str, ...]
    selectable_only: tuple[str, ...]

    @property
    def known(self) -> tuple[str, ...]:
        """Every property ``$select`` may name."""
        return (*self.default, *self.selectable_only)

    def shape(self, values: Mapping[str, Any], names: list[str]) -> JsonObject:
        """The object as Graph returns it: the selected names, else the default set."""
        return {name: values.get(name) for name in (names or self.default)}


USER = DirectoryType(
    name="microsoft.graph.user",
    default=(
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
        "id",
    ),
    selectable_only=(
        "accountEnabled",
        "city",
        "companyName",
        "country",
        "createdDateTime",
        "department",
        "employeeId",
        "mailNickname",
        "otherMails",
        "postalCode",
        "proxyAddresses",
        "state",
        "streetAddress",
        "usageLocation",
        "userType",
    ),
)
GROUP = DirectoryType(
    name="microsoft.graph.group",
    default=(
        "id",
        "deletedDateTime",
        "classification",
        "createdDateTime",
        "description",
        "displayName",
        "expirationDateTime",
        "groupTypes",
        "isAssignableToRole",
        "mail",
        "mailEnabled",
        "mailNickname",
        "membershipRule",
        "membershipRuleProcessingState",
        "onPremisesDomainName",
        "onPremisesLastSyncDateTime",
        "onPremisesNetBiosName",
        "onPremisesSamAccountName",
        "onPremisesSecurityIdentifier",
        "onPremisesSyncEnabled",
        "preferredDataLocation",
        "preferredLanguage",
        "proxyAddresses",
        "renewedDateTime",
        "resourceBehaviorOptions",
        "resourceProvisioningOptions",
        "securityEnabled",
        "securityIdentifier",
        "theme",
        "visibility",
        "onPremisesProvisioningErrors",
        "serviceProvisioningErrors",
    ),
    selectable_only=(
        "allowExternalSenders",
        "autoSubscribeNewMembers",
        "hideFromAddressLists",
        "hideFromOutlookClients",
        "isArchived",
        "isSubscribedByMail",
        "unseenCount",
    ),
)


def users_of(organisation: DemoOrganisation) -> list[JsonObject]:
    """Every person's user values: the demo's own fields plus what Entra fills in."""
    users = []
    for person, fields in zip(organisation.people, organisation.graph_users(), strict=True):
        users.append(
            {
                "businessPhones": [],
                "mobilePhone": None,
                "officeLocation": None,
                "preferredLanguage": "en-GB",
                "accountEnabled": True,
                "companyName": "Northwind Utilities",
                "mailNickname": person.handle,
                "otherMails": [],
                "proxyAddresses": [f"SMTP:{person.email}"],
                "usageLocation": "GB",
                "userType": "Member",
                **fields,
            }
        )
    return users


def group_of(organisation: DemoOrganisation) -> JsonObject:
    """The Microsoft 365 group behind the team, with every property of either table."""
    team = organisation.teams.team
    nickname = "".join(str(team["displayName"]).split())
    return {
        "id": organisation.group_id,
        "deletedDateTime": None,
        "classification": None,
        "createdDateTime": team["createdDateTime"],
        "description": team["description"],
        "displayName": team["displayName"],
        "expirationDateTime": None,
        "groupTypes": ["Unified"],
        "isAssignableToRole": None,
        "mail": f"{nickname}@{DOMAIN}",
        "mailEnabled": True,
        "mailNickname": nickname,
        "membershipRule": None,
        "membershipRuleProcessingState": None,
        "onPremisesDomainName": None,
        "onPremisesLastSyncDateTime": None,
        "onPremisesNetBiosName": None,
        "onPremisesSamAccountName": None,
        "onPremisesSecurityIdentifier": None,
        "onPremisesSyncEnabled": None,
        "preferredDataLocation": None,
        "preferredLanguage": None,
        "proxyAddresses": [f"SMTP:{nickname}@{DOMAIN}"],
        "renewedDateTime": team["createdDateTime"],
        "resourceBehaviorOptions": [],
        # A team-enabled group says so here: callers filter on it to list the tenant's teams.
        "resourceProvisioningOptions": ["Team"],
        "securityEnabled": False,
        "securityIdentifier": None,
        "theme": None,
        "visibility": "Private" if team["visibility"] == "private" else "Public",
        "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
        "allowExternalSenders": False,
        "autoSubscribeNewMembers": False,
        "hideFromAddressLists": False,
        "hideFromOutlookClients": False,
        "isArchived": team["isArchived"],
        "isSubscribedByMail": False,
        "unseenCount": 0,
    }


def team_of(organisation: DemoOrganisation) -> JsonObject:
    """The team as ``GET /teams/{id}`` returns it, settings at Teams' defaults."""
    team = dict(organisation.teams.team)
    general = organisation.teams.channels[0]["id"]
    return {
        **team,
        "classification": None,
        "specialization": "none",
        # Teams' internalId is the thread id of the team's General channel.
        "internalId": general,
        "isMembershipLimitedToOwners": False,
        "memberSettings": {
            "allowCreateUpdateChannels": True,
            "allowDeleteChannels": True,
            "allowAddRemoveApps": True,
            "allowCreateUpdateRemoveTabs": True,
            "allowCreateUpdateRemoveConnectors": True,
            "allowCreatePrivateChannels": True,
        },
        "guestSettings": {"allowCreateUpdateChannels": False, "allowDeleteChannels": False},
        "messagingSettings": {
            "allowUserEditMessages": True,
            "allowUserDeleteMessages": True,
            "allowOwnerDeleteMessages": True,
            "allowTeamMentions": True,
            "allowChannelMentions": True,
        },
        "funSettings": {
            "allowGiphy": True,
            "giphyContentRating": "moderate",
            "allowStickersAndMemes": True,
            "allowCustomMemes": True,
        },
        "summary": {"ownersCount": 1, "membersCount": len(organisation.people), "guestsCount": 0},
    }
