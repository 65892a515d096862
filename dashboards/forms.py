"""The statistics page's filter: a period of at most MAX_MONTHS months, and a team."""

from django import forms

from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.models import Team

from .statistics import MAX_MONTHS


class StatisticsFilterForm(forms.Form):
    start = DateField(
        label="From",
        when=When.PLANNED,
        error_messages={"required": "Enter the first day"},
    )
    end = DateField(
        label="To",
        when=When.PLANNED,
        error_messages={"required": "Enter the last day"},
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
