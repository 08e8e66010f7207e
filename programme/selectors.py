"""Reads of the programme app shared by pages and services: an enterprise's group for
its SME class (2003/361 Annex art. 6) and the enterprises whose class a change touches.

Known limits: the linked group is followed through any chain of linked enterprises;
partner enterprises count when they are partners of the enterprise or of one of its
linked enterprises (immediately up- or downstream), not partners of partners.
"""

from collections.abc import Iterable

from django.db.models import Q

from . import domain
from .enums import LinkKind
from .models import Organisation, OrganisationLink


def _links_of(ids: Iterable[int]) -> list[OrganisationLink]:
    ids = list(ids)
    return list(
        OrganisationLink.objects.filter(Q(organisation_id__in=ids) | Q(other_id__in=ids))
        .select_related("organisation", "other")
        .order_by("pk")
    )


def _part(organisation: Organisation, relation: str, share=domain.HUNDRED) -> domain.GroupPart:
    return domain.GroupPart(
        name=organisation.name,
        relation=relation,
        headcount=organisation.headcount,
        turnover=organisation.turnover,
        balance_sheet_total=organisation.balance_sheet_total,
        share=share,
    )


def sme_group(organisation: Organisation) -> list[domain.GroupPart]:
    """The linked enterprises (100%) and partner enterprises (held share) whose figures
    count with `organisation`'s own. One query per step of the linked chain."""
    group = {organisation.pk}
    linked: dict[int, Organisation] = {}
    frontier = {organisation.pk}
    partner_links: list[OrganisationLink] = []
    while frontier:
        links = _links_of(frontier)
        frontier = set()
        for link in links:
            for here, there in ((link.organisation, link.other), (link.other, link.organisation)):
                if here.pk not in group or there.pk in group:
                    continue
                if link.kind == LinkKind.LINKED:
                    linked[there.pk] = there
                    frontier.add(there.pk)
                else:
                    partner_links.append(link)
        group |= frontier
    parts = [_part(org, domain.LINKED) for org in linked.values()]
    seen = set()
    for link in partner_links:
        there = link.other if link.organisation_id in group else link.organisation
        if there.pk in group or there.pk in seen:
            continue
        seen.add(there.pk)
        parts.append(_part(there, domain.PARTNER, link.share))
    return parts


def sme_computation(organisation: Organisation) -> domain.SmeComputation:
    """How `organisation`'s SME class is computed (with its group), for the page and for
    programme.services, which stores the class."""
    return domain.sme_class_of_group(
        own=_part(organisation, domain.OWN),
        others=sme_group(organisation) if organisation.pk else [],
        public_body_share=organisation.public_body_share or domain.Decimal(0),
    )


def linked_component(organisation_ids: Iterable[int]) -> set[int]:
    """Every organisation connected to `organisation_ids` through links of either kind
    (the enterprises whose SME class a change of these may change)."""
    component = set(organisation_ids)
    frontier = set(component)
    while frontier:
        found = set()
        for link in _links_of(frontier):
            found |= {link.organisation_id, link.other_id}
        frontier = found - component
        component |= found
    return component
