from django import template

from contacts import selectors
from contacts.models import Category, Tag

register = template.Library()


@register.inclusion_tag("contacts/includes/who_to_call_panel.html")
def who_to_call(situation: str, heading_level: int = 2):
    """The "who to call" panel for a situation: the next-steps page and referral forms use it."""
    return {
        "situation": situation,
        "label": selectors.SITUATION_LABELS[selectors.Situation(situation)],
        "entries": selectors.who_to_call(situation),
        "heading_level": int(heading_level),
    }


@register.filter
def category_labels(organisation) -> list[str]:
    """Category names; "first responder" is left to its own badge."""
    labels = dict(Category.choices)
    return [
        labels[t.code]
        for t in organisation.tags.all()
        if t.kind == Tag.Kind.CATEGORY and t.code != Category.FIRST_RESPONDER
    ]


@register.filter
def pathway_labels(organisation) -> list[str]:
    return [str(t) for t in organisation.tags.all() if t.kind == Tag.Kind.PATHWAY]
