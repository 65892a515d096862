"""Every email the product sends, made one way (healthchecks' `make_message`): a subject, a
text body and an HTML body, each a template named after the email, rendered with one context.

Emails carry references and times only, never who a record is about (README, "Reminders").
"""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def make_message(name: str, *, to: list[str], context: dict, headers=None):
    """`name` is a template path without its ending: `<name>_subject.txt`,
    `<name>_message.txt` and `<name>_message.html` are rendered with `context`."""
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{name}_subject.txt", context).split()),
        body=render_to_string(f"{name}_message.txt", context),
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"{name}_message.html", context), "text/html")
    return message
