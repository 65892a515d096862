"""The range every date typed into the app must fall in (safeguard.dates), and that every
date field in our forms applies it."""

import datetime as dt
import importlib
import pkgutil

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError

from safeguard.dates import DateRangeValidator, When
from safeguard.forms import GovukDateField

TODAY = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("when", "day", "allowed"),
    [
        (When.HAPPENED, dt.date(1899, 12, 31), False),
        (When.HAPPENED, dt.date(1900, 1, 1), True),
        (When.HAPPENED, dt.date(2026, 11, 23), True),
        (When.HAPPENED, dt.date(2026, 11, 24), False),
        (When.PLANNED, dt.date(1899, 12, 31), False),
        (When.PLANNED, dt.date(2036, 11, 23), True),
        (When.PLANNED, dt.date(2036, 11, 24), False),
        (When.HAPPENED, dt.datetime(1, 1, 1, tzinfo=dt.UTC), False),
        (When.PLANNED, dt.date(9999, 12, 31), False),
    ],
)
def test_a_date_is_allowed_from_1900_to_today_or_ten_years_ahead(when, day, allowed):
    with time_machine.travel(TODAY, tick=False):
        if allowed:
            DateRangeValidator(when)(day)
        else:
            with pytest.raises(ValidationError, match="must be between 1 January 1900 and"):
                DateRangeValidator(when)(day)


def test_the_message_says_the_range():
    with time_machine.travel(TODAY, tick=False), pytest.raises(ValidationError) as refused:
        DateRangeValidator(When.PLANNED)(dt.date(2040, 1, 1))
    expected = "The date must be between 1 January 1900 and 23 November 2036"
    assert refused.value.messages == [expected]


def test_ten_years_after_29_february_is_28_february():
    with time_machine.travel(dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC), tick=False):
        DateRangeValidator(When.PLANNED)(dt.date(2038, 2, 28))
        with pytest.raises(ValidationError):
            DateRangeValidator(When.PLANNED)(dt.date(2038, 3, 1))


OUR_APPS = ("safeguard", "contacts", "cases", "referrals", "documents", "dashboards")


def _our_forms():
    for app in OUR_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith(("forms", "views")):
                importlib.import_module(f"{app}.{module.name}")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return [
        form
        for form in {*subclasses(forms.Form), *subclasses(forms.ModelForm)}
        if form.__module__.split(".")[0] in OUR_APPS
    ]


def test_every_date_field_in_our_forms_has_a_range():
    found, unranged = [], []
    for form in _our_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField | GovukDateField):
                found.append(f"{form.__name__}.{name}")
                if not any(isinstance(v, DateRangeValidator) for v in field.validators):
                    unranged.append(f"{form.__module__}.{form.__name__}.{name}")

    assert len(found) >= 12, found
    assert unranged == [], "use safeguard.forms.DateField or GovukDateField with when="
