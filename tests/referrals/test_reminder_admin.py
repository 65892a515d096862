from django.urls import reverse

from referrals.deadlines import Timer
from referrals.models import Deadline, Reminder


def test_administrators_see_failed_reminders_with_their_error(client, world, log_concern):
    concern = log_concern(world.frontline, name="Ana Popescu")
    deadline = Deadline.objects.get(concern=concern, timer=Timer.REFER)
    Reminder.objects.create(
        deadline=deadline,
        stage="due",
        recipient=world.lead,
        status=Reminder.Status.FAILED,
        attempts=5,
        last_error="SMTPConnectError: (421, 'try later')",
    )
    client.force_login(world.admin)

    html = client.get(
        reverse("admin:referrals_reminder_changelist"), {"status__exact": "failed"}
    ).content.decode()

    assert "SMTPConnectError" in html and concern.reference in html
    assert "Ana Popescu" not in html
