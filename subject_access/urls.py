from django.urls import path

from . import views

app_name = "subject_access"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_new, name="request_new"),
    path("<str:reference>/", views.request_detail, name="request_detail"),
    path("<str:reference>/identity/", views.request_identity, name="request_identity"),
    path("<str:reference>/extend/", views.request_extend, name="request_extend"),
    path("<str:reference>/review/", views.request_review, name="request_review"),
    path("<str:reference>/items/<int:item>/", views.item_decide, name="item_decide"),
    path("<str:reference>/bundles/", views.bundle_build, name="bundle_build"),
    path("<str:reference>/bundles/<uuid:bundle>/", views.bundle_download, name="bundle_download"),
    path(
        "<str:reference>/bundles/<uuid:bundle>/release/",
        views.request_release,
        name="request_release",
    ),
    path("<str:reference>/corrections/", views.correction_add, name="correction_add"),
]
