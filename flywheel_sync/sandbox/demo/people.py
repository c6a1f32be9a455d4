"""The people of Northwind: the PMO team, each customer's sponsor and requester, delivery teams.

One `DemoPerson` is the same human in every tool: a Jira account (Cloud account id and Data
Center user name), an Entra user (Planner assignments, Teams messages) and a mailbox.
"""

import unicodedata
from dataclasses import dataclass
from typing import Any

from flywheel_sync.sandbox.demo.identifiers import account_id, guid

__all__ = [
    "DOMAIN",
    "PMO_DEPARTMENT",
    "DemoPerson",
    "Directory",
    "TeamSpec",
    "named_cast",
]

DOMAIN = "northwind.example"
PMO_DEPARTMENT = "Enterprise PMO"

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPerson:
    """One person and their identities in the tools.

    Attributes:
        handle: The Data Center user name and the key people are looked up by in the story.
        department: "Enterprise PMO" or the name of the customer the person works for; Teams
            readers can attribute a message to a customer through it.
    """

    handle: str
    display_name: str
    email: str
    department: str
    job_title: str
    account_id: str
    aad_id: str

    def graph_user(self) -> JsonObject:
        """The Entra user as Graph's ``/users/{id}`` returns it."""
        given, _, surname = self.display_name.partition(" ")
        return {
            "id": self.aad_id,
            "displayName": self.display_name,
            "givenName": given,
            "surname": surname,
            "mail": self.email,
            "userPrincipalName": self.email,
            "department": self.department,
            "jobTitle": self.job_title,
        }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in folded.lower() if char.isalnum() or char == " ")


def _person(display_name: str, department: str, job_title: str, *, number: int = 1) -> DemoPerson:
    first, _, last = _ascii(display_name).partition(" ")
    last = last.replace(" ", "")
    suffix = "" if number == 1 else str(number)
    email = f"{first}.{last}{suffix}@{DOMAIN}"
    return DemoPerson(
        handle=f"{first}.{last}{suffix}",
        display_name=display_name,
        email=email,
        department=department,
        job_title=job_title,
        account_id=account_id(email),
        aad_id=guid(f"user/{email}"),
    )


# handle-independent roles of the story: (display name, department, job title)
_CAST: tuple[tuple[str, str, str], ...] = (
    ("Amara Okafor", PMO_DEPARTMENT, "Head of Enterprise PMO"),
    ("Jonas Lindqvist", PMO_DEPARTMENT, "Portfolio Analyst"),
    ("Elena Petrova", PMO_DEPARTMENT, "Service Owner, Delivery Assurance"),
    ("Tomás García", PMO_DEPARTMENT, "PMO Coach"),
    ("Mei Chen", PMO_DEPARTMENT, "Benefits and Change Lead"),
    ("Callum Fraser", "Grid Operations", "Head of Grid Operations"),
    ("Aisha Bello", "Grid Operations", "Outage Planning Lead"),
    ("Noah Williams", "Digital Channels", "Director of Digital Channels"),
    ("Sofia Rossi", "Digital Channels", "Agile Coach"),
    ("Margaret Hughes", "Finance (CFO office)", "Chief Financial Officer"),
    ("Daniel Kim", "Finance (CFO office)", "Finance Business Partner"),
    ("Olivia Brown", "HR Transformation", "Programme Director"),
    ("Rahul Mehta", "HR Transformation", "HR Project Manager"),
    ("Fiona Walsh", "Regulatory Affairs", "Head of Regulatory Affairs"),
    ("Peter Novak", "Regulatory Affairs", "Regulatory Analyst"),
    ("Grace Adeyemi", "Customer Service", "Head of Customer Service"),
    ("Liam O'Connor", "Customer Service", "Service Operations Manager"),
    ("Priya Shah", "Customer Service", "Customer Service Analyst"),
    ("Marco Bianchi", "Customer Service", "Customer Service Analyst"),
    ("Hannah Schmidt", "Customer Service", "Customer Service Analyst"),
)

_BOT = DemoPerson(
    handle="pmo-bot",
    display_name="Flywheel Sync",
    email=f"pmo-bot@{DOMAIN}",
    department=PMO_DEPARTMENT,
    job_title="Service account",
    account_id=account_id(f"pmo-bot@{DOMAIN}"),
    aad_id=guid(f"user/pmo-bot@{DOMAIN}"),
)


def named_cast() -> dict[str, DemoPerson]:
    """The people the story names, by first name in lower case ("amara", "priya"), plus "bot".

    "bot" is the account flywheel-sync signs in with (``pmo-bot@northwind.example`` in the
    example settings).
    """
    cast = {_ascii(name).split()[0]: _person(name, dept, title) for name, dept, title in _CAST}
    cast["bot"] = _BOT
    return cast


# Name pools for generated people (50 x 50 distinct names).
_FIRST_NAMES = (
    "Adam Alice Ben Chloe Daniela Ethan Fatima George Hana Isaac Jade Kofi Laura Mateo "
    "Nadia Oscar Paula Quentin Rosa Samuel Tara Umar Vera William Xenia Yusuf Zoe Arjun "
    "Beatriz Connor Dalia Emil Freya Gareth Ines Jakub Keira Lukas Maya Nikolai Orla Pedro "
    "Ruth Stefan Tomasz Uma Valentina Wen Yara Zainab"
)
_LAST_NAMES = (
    "Abbott Barker Carvalho Dubois Evans Fischer Gallagher Haddad Ito Jensen Kowalski "
    "Larsen Moreau Nakamura Osei Patel Quinn Reyes Sato Turner Ueda Varga Walker Xu Young "
    "Zielinski Ahmed Brennan Costa Duarte Eriksen Flores Gupta Horvat Ibrahim Jovanovic "
    "Keller Lopez Murphy Nowak Olsen Price Rahman Silva Thompson Usman Vasquez Weber "
    "Yilmaz Zhang"
)
_FIRST = tuple(_FIRST_NAMES.split())
_LAST = tuple(_LAST_NAMES.split())


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamSpec:
    """A delivery team to staff: whose it is and how many people it needs."""

    department: str
    job_title: str
    size: int


class Directory:
    """Everyone in the demo, in the order they were added, with the lookups the tools need.

    Generated team members get distinct names until the name lists run out (2,500 people), then
    names repeat with a numbered e-mail address, as in any large company.
    """

    def __init__(self, cast: dict[str, DemoPerson]) -> None:
        self.cast = cast
        self._people: list[DemoPerson] = list(cast.values())
        self._generated = 0
        self._jira_refs: dict[str, JsonObject] = {}

    def staff(self, team: TeamSpec) -> tuple[DemoPerson, ...]:
        """Create the members of a delivery team and add them to the directory."""
        members = tuple(self._next_person(team) for _ in range(team.size))
        self._people.extend(members)
        return members

    def _next_person(self, team: TeamSpec) -> DemoPerson:
        n = self._generated
        self._generated += 1
        width = len(_FIRST)
        first = _FIRST[n % width]
        last = _LAST[(n % width + n // width) % len(_LAST)]
        return _person(
            f"{first} {last}", team.department, team.job_title, number=n // (width * len(_LAST)) + 1
        )

    @property
    def people(self) -> tuple[DemoPerson, ...]:
        """Everyone, named cast first, then delivery teams in the order they were staffed."""
        return tuple(self._people)

    def jira_ref(self, person: DemoPerson | None) -> JsonObject | None:
        """The user object an issue field holds (assignee, reporter, changelog author).

        One dict per person is shared by every issue that references them: replace the
        field's value on a write, never mutate the shared dict.
        """
        if person is None:
            return None
        ref = self._jira_refs.get(person.account_id)
        if ref is None:
            ref = {
                "accountId": person.account_id,
                "displayName": person.display_name,
                "emailAddress": person.email,
                "active": True,
                "timeZone": "Europe/London",
                "accountType": "atlassian",
            }
            self._jira_refs[person.account_id] = ref
        return ref
