"""The statistics page's filter: a period of at most MAX_MONTHS months, and a team."""

from django import forms

from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.models import Team

from .statistics import MAX_MONTHS

# A browser's date picker needs ISO dates; typing one works everywhere else.
DATE_INPUT = {"type": "date", "class": "govuk-input govuk-input--width-10"}


class StatisticsFilterForm(forms.Form):
    start = DateField(
        label="From",
        when=When.PLANNED,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the first day as a date, for example 2026-01-01"},
    )
    end = DateField(
        label="To",
        when=When.PLANNED,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the last day as a date, for example 2026-12-31"},
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="All teams",
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day must be the same as or after the first day")
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                self.add_error("end", f"Choose a period of {MAX_MONTHS} months or less")
        return cleaned
