from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.edit, name="create"),
    path("card/", views.card, name="card"),
    path("card.pdf", views.card_pdf, name="card_pdf"),
    path("who-to-call/", views.who_to_call, name="who_to_call"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/vcard/", views.organisation_vcard, name="vcard"),
    path("<int:organisation_pk>/people/new/", views.person_edit, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/remove/", views.person_remove, name="person_remove"),
    path("people/<int:pk>/vcard/", views.person_vcard, name="person_vcard"),
]
