"""The events `cases` announces to the apps above it, which it may not import.

A receiver runs in the sender's transaction: what it writes (the referral clock's rows) is
committed, or rolled back, with the concern.
"""

from django.dispatch import Signal

# A concern was submitted: `concern`. (referrals.receivers starts its referral clock.)
concern_submitted = Signal()
# A lead triaged a concern: `concern`, `outcome`. (referrals.receivers stops or moves the clock.)
concern_triaged = Signal()
# A support plan's task was saved or is about to be removed: `need`, `removed`.
# (referrals.receivers keeps its target date's deadline in step.)
support_need_changed = Signal()
# A case was closed: `case`. (referrals.receivers stops its support tasks' reminders.)
case_closed = Signal()
