"""The events `cases` announces to the apps above it, which it may not import, and the one
an app above announces to it (`referral_submitted`).

A receiver runs in the sender's transaction: what it writes (the referral clock's rows) is
committed, or rolled back, with the concern.
"""

from django.dispatch import Signal

# A concern was submitted: `concern`. (referrals.receivers starts its referral clock.)
concern_submitted = Signal()
# A lead triaged a concern: `concern`, `outcome`. (referrals.receivers stops or moves the clock.)
concern_triaged = Signal()
# The close page and `services.case_close` ask what the record holds beyond this app: `case`.
# Each receiver returns a dict of `closing.Facts` fields (tuples of `closing.Item`) and
# "agencies", {directory entry id: name}. (referrals.receivers: open referrals, running
# deadlines, the organisations its referrals and sharing agreements name.)
case_closing_facts = Signal()
# A case was closed: `case`, `why` ("Case closed: <reason>"). Each receiver stops what it runs
# for the case and returns what it stopped, as words (a list of str), for the reopening page.
# (referrals.receivers stops every open deadline of the case, its referrals and concerns.)
case_closed = Signal()
# A risk assessment was recorded: `assessment`. (referrals.receivers meets the review it
# was for and starts the next one, due at the end of its review date.)
risk_assessed = Signal()
# A support plan's task was saved or is about to be removed: `need`, `removed`.
# (referrals.receivers keeps its target date's deadline in step.)
support_need_changed = Signal()
# A referral of the case was recorded as sent: `case`. referrals sends it, so that cases
# (cases.receivers) can tell the concerns' reporters without importing referrals.
referral_submitted = Signal()
