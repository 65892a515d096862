"""System checks: every field an anonymous Duty to Notify could carry is decided."""

from django.core import checks


@checks.register()
def anonymous_rule_decides_every_field(app_configs=None, **kwargs):
    from .anonymous import undecided

    return [
        checks.Error(
            f"{name}: the anonymous Duty to Notify rule does not say whether it is kept",
            hint="Add it to documents.anonymous.RULE: kept (of which kind), left out, or internal.",
            id="documents.E001",
        )
        for name in undecided()
    ]
