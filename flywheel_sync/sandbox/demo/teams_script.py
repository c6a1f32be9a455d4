"""What people say in the Enterprise PMO team: the story's messages and the everyday chatter.

Request messages come from customers' sponsors and requesters (their Entra ``department`` is
the customer's name); the PMO answers. Symptom messages use a customer's own words for what the
delivery data shows; chatter deliberately names no symptom, so a detector that fires on it is
wrong.
"""

from dataclasses import dataclass

from flywheel_sync.domain import SymptomKind

__all__ = ["ANNOUNCEMENTS", "ANNOUNCEMENT_CHATTER", "CHATTER", "REQUESTS", "StoryMessage"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryMessage:
    """A message of the story, who posted it (cast key) and what it is evidence of."""

    author: str
    days_ago: int
    text: str
    customer_id: str | None = None
    symptom: SymptomKind | None = None
    replies: tuple[tuple[str, str], ...] = ()


REQUESTS: tuple[StoryMessage, ...] = (
    StoryMessage(
        author="margaret",
        days_ago=150,
        text="The board wants to see benefits, not just milestones. Can the PMO help?",
        customer_id="finance",
        replies=(("mei", "Yes: let's start by listing the benefits each programme promised."),),
    ),
    StoryMessage(
        author="aisha",
        days_ago=100,
        text="Can the PMO help us plan crew capacity for the winter outage season?",
        customer_id="grid-ops",
        replies=(("elena", "Happy to. Let's look at your rosters and the outage plan together."),),
    ),
    StoryMessage(
        author="rahul",
        days_ago=60,
        text="Which project lifecycle should the HR programme follow? Every team uses a "
        "different template.",
        customer_id="hr-transformation",
        replies=(("tomas", "We'll tailor one with you; the Methodology service covers this."),),
    ),
    StoryMessage(
        author="grace",
        days_ago=55,
        text="Everything is priority one. The team changes priorities on the same tickets every "
        "few days.",
        customer_id="customer-service",
        symptom=SymptomKind.UNCLEAR_PRIORITIES,
        replies=(
            ("jonas", "Could we see the CSV board together? I'd like to understand who sets them."),
            ("grace", "Thursday works. Bring coffee."),
        ),
    ),
    StoryMessage(
        author="fiona",
        days_ago=40,
        text="We keep missing the regulator's deadlines. Three filings went in late this "
        "quarter and nobody saw it coming.",
        customer_id="regulatory-affairs",
        symptom=SymptomKind.MISSED_DEADLINES,
        replies=(("amara", "Thanks Fiona. A project health check may help; shall we talk?"),),
    ),
    StoryMessage(
        author="sofia",
        days_ago=30,
        text="Half our sprint is blocked waiting on the vendor's API again.",
        customer_id="digital-channels",
        symptom=SymptomKind.BLOCKED_WORK,
    ),
    StoryMessage(
        author="daniel",
        days_ago=22,
        text="New requests keep landing in the middle of the sprint; our forecasts are useless.",
        customer_id="finance",
        symptom=SymptomKind.SCOPE_CHURN,
    ),
    StoryMessage(
        author="liam",
        days_ago=18,
        text="Priya, Marco and Hannah each have more than a dozen tickets open. They cannot keep "
        "up.",
        customer_id="customer-service",
        symptom=SymptomKind.RESOURCE_OVERLOAD,
        replies=(
            ("elena", "Capacity planning onboarding is under way; the roster import is next."),
        ),
    ),
    StoryMessage(
        author="peter",
        days_ago=12,
        text="Another regulator deadline slipped: the tariff consultation response is two weeks "
        "overdue.",
        customer_id="regulatory-affairs",
        symptom=SymptomKind.MISSED_DEADLINES,
    ),
)

ANNOUNCEMENTS: tuple[StoryMessage, ...] = (
    StoryMessage(
        author="amara",
        days_ago=540,
        text="Welcome to the Enterprise PMO team. Ask us anything in PMO Requests.",
    ),
    StoryMessage(
        author="amara",
        days_ago=365,
        text="The PMO service catalogue is live: eight services, each with an onboarding plan.",
    ),
    StoryMessage(
        author="jonas",
        days_ago=45,
        text="Winter change freeze starts on 1 December: plan your releases accordingly.",
    ),
    StoryMessage(
        author="amara",
        days_ago=10,
        text="Grid Operations' executive reporting reached Value Recognition: thank you all!",
    ),
)

CHATTER: tuple[str, ...] = (
    "Could someone share the status report template?",
    "Thanks for the health check session yesterday, very useful.",
    "Where do I find the portfolio board calendar?",
    "Is there a recording of the last methodology training?",
    "Can we move our coaching session to next week?",
    "Who should I talk to about adding a project to the portfolio?",
    "The new dashboard looks great, thanks!",
    "Quick question: which template do we use for the benefits register?",
    "Please add our programme to next month's board agenda.",
    "Is the lessons-learned workshop still on for Thursday?",
)

ANNOUNCEMENT_CHATTER: tuple[str, ...] = (
    "Reminder: portfolio board updates are due by Friday.",
    "New in the template library: a one-page project charter.",
    "The quarterly strategy review takes place next Tuesday.",
    "Office hours with the PMO coaches are open every Wednesday afternoon.",
    "The capacity dashboard now refreshes daily.",
)
