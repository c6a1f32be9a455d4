"""Proposed needs: the diagnosis turned into one `Need` per customer showing symptoms.

The PMO reviews a proposal before it becomes a request: it states what the data shows, lists
the services the detectors prescribe (noting those the customer already uses, where the
answer may be to revisit the engagement rather than start one), and cites what the customer
said itself (its messages in the requests channel) as ``source_refs``. The root cause is
left for the PMO to diagnose (``diagnosis`` stays empty).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flywheel_sync.domain import Engagement, Need, PMOCustomer, PMOService, Symptom
from flywheel_sync.engine.portfolio import ReportedSymptom

__all__ = ["propose_needs", "proposed_need_id"]


def proposed_need_id(customer_id: str) -> str:
    """The id of the need proposed for a customer."""
    return f"proposed-{customer_id}"


def _names(ids: Iterable[str], services: Mapping[str, PMOService]) -> str:
    return ", ".join(services[i].name if i in services else i for i in ids)


def _statement(
    name: str,
    symptoms: tuple[Symptom, ...],
    prescribed: tuple[str, ...],
    engaged: tuple[str, ...],
    services: Mapping[str, PMOService],
) -> str:
    shown = "; ".join(
        f"{symptom.kind.value.replace('_', ' ')}: {symptom.summary}" for symptom in symptoms
    )
    statement = f"{name} shows {shown}."
    if prescribed:
        statement += f" Prescribed: {_names(prescribed, services)}."
    if engaged:
        statement += f" Already engaged in: {_names(engaged, services)}."
    return statement


def propose_needs(
    symptoms: Iterable[Symptom],
    *,
    customers: Mapping[str, PMOCustomer],
    services: Mapping[str, PMOService],
    engagements: Iterable[Engagement],
    reported: Iterable[ReportedSymptom] = (),
) -> tuple[Need, ...]:
    """One proposed need per customer with symptoms, in the order the symptoms come."""
    by_customer: dict[str, list[Symptom]] = {}
    for symptom in symptoms:
        if symptom.customer_id is not None:
            by_customer.setdefault(symptom.customer_id, []).append(symptom)
    engaged_in: dict[str, set[str]] = {}
    for engagement in engagements:
        engaged_in.setdefault(engagement.customer_id, set()).add(engagement.service_id)
    said: dict[str, list[str]] = {}
    for message in reported:
        if message.customer_id is not None:
            said.setdefault(message.customer_id, []).append(message.ref)
    needs = []
    for customer_id, own in by_customer.items():
        prescribed = tuple(
            dict.fromkeys(service for s in own for service in s.prescribed_service_ids)
        )
        engaged = tuple(s for s in prescribed if s in engaged_in.get(customer_id, set()))
        customer = customers.get(customer_id)
        needs.append(
            Need(
                id=proposed_need_id(customer_id),
                customer_id=customer_id,
                statement=_statement(
                    customer.name if customer else customer_id,
                    tuple(own),
                    prescribed,
                    engaged,
                    services,
                ),
                symptoms=tuple(own),
                prescribed_service_ids=prescribed,
                source_refs=tuple(dict.fromkeys(said.get(customer_id, ()))),
            )
        )
    return tuple(needs)
