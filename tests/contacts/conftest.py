import datetime as dt

import pytest

from contacts.models import OpeningHours, Organisation, Phone, Tag


@pytest.fixture
def make_org(db):
    def make(
        name, *, categories=(), pathways=(), phones=(("Main", "+441614960000"),), hours=(), **fields
    ):
        fields.setdefault("areas", "Demo Borough")
        fields.setdefault("last_verified_on", dt.date(2026, 11, 1))
        org = Organisation.objects.create(name=name, **fields)
        org.tags.set(
            [Tag.objects.get(kind="category", code=c) for c in categories]
            + [Tag.objects.get(kind="pathway", code=p) for p in pathways]
        )
        for n, (label, number) in enumerate(phones):
            Phone.objects.create(organisation=org, label=label, number=number, order=n)
        for weekday, opens, closes in hours:
            OpeningHours.objects.create(
                organisation=org, weekday=weekday, opens=opens, closes=closes
            )
        return org

    return make
