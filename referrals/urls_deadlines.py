"""The deadline pages, included into the `referrals` namespace by `referrals.urls`."""

from django.urls import path

from . import views_deadlines

urlpatterns = [
    path("deadlines/", views_deadlines.deadlines, name="deadlines"),
    path("deadlines/overdue/", views_deadlines.overdue, name="overdue"),
    path("deadlines/overdue.csv", views_deadlines.overdue_export, name="overdue_export"),
    path(
        "deadlines/<int:pk>/reassign/",
        views_deadlines.deadline_reassign,
        name="deadline_reassign",
    ),
]
