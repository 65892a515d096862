"""One date pattern everywhere: every date field of every form is the GOV.UK date input (day,
month and year boxes, safeguard.forms.GovukDateField), and a date that is not real gets one
plain error and keeps what was typed."""

import copy
import importlib
import inspect

import pytest
from django import forms
from django.urls import reverse

from safeguard.forms import REAL_DATE, DayMonthYearWidget, GovukDateField

FORM_MODULES = [
    "cases.forms",
    "cases.record",
    "contacts.forms",
    "dashboards.forms",
    "documents.forms",
    "referrals.forms",
    "safeguard.forms",
]


def _form_classes():
    for name in FORM_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, forms.BaseForm) and hasattr(cls, "base_fields"):
                yield cls


def _date_fields():
    return sorted(
        {
            (f"{cls.__module__}.{cls.__name__}.{name}", cls)
            for cls in _form_classes()
            for name, field in cls.base_fields.items()
            if isinstance(field, GovukDateField)
        },
        key=lambda pair: pair[0],
    )


DATE_FIELDS = _date_fields()


def test_no_form_asks_for_a_date_in_one_box():
    single = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
        or isinstance(field.widget, forms.DateInput | forms.DateTimeInput)
    ]
    assert single == []
    assert len(DATE_FIELDS) >= 15


@pytest.mark.parametrize(("where", "cls"), DATE_FIELDS, ids=[w for w, _ in DATE_FIELDS])
@pytest.mark.parametrize("typed", [("31", "2", "2026"), ("3", "x", "2026"), ("12", "3", "26")])
def test_a_date_that_is_not_real_says_so_and_keeps_what_was_typed(where, cls, typed):
    name = where.rsplit(".", 1)[1]
    field = copy.deepcopy(cls.base_fields[name])
    assert isinstance(field.widget, DayMonthYearWidget)
    form = type("One", (forms.Form,), {name: field})(
        data={f"{name}_{i}": value for i, value in enumerate(typed)}
    )

    assert not form.is_valid()
    assert form.errors[name] == [REAL_DATE]
    assert [part["value"] for part in form[name].parts] == list(typed)


def test_the_audit_log_shows_a_bad_date_back_with_the_error(client, world):
    client.force_login(world.manager)

    response = client.get(
        reverse("audit_log"), {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}
    )

    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert REAL_DATE in html
    assert 'name="date_from_0"' in html and 'value="31"' in html
    assert 'name="date_from_1"' in html and 'value="2"' in html
