"""The application's addresses."""

from __future__ import annotations

from django.urls import path

from .views import audit, auth, records

urlpatterns = [
    path("", records.home, name="home"),
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("login/link/<str:token>/", auth.first_login, name="first-login"),
    path("forms/", records.form_list, name="forms"),
    path("forms/<slug:form_id>/new/", records.fill, name="fill"),
    path("records/", records.record_list, name="records"),
    path("records/<int:pk>/", records.record_page, name="record"),
    path("records/<int:pk>/edit/", records.edit, name="edit"),
    path("records/<int:pk>/approve/", records.approve, name="approve"),
    path("records/<int:pk>/return/", records.send_back, name="return"),
    path("records/<int:pk>/sign/", records.sign, name="sign"),
    path("records/<int:pk>/print.<str:fmt>", records.print_record, name="print"),
    path("audit/", audit.audit_page, name="audit"),
    path("audit/export.<str:fmt>", audit.export, name="export"),
    path("audit/import/", audit.import_files, name="import"),
]
