# Included under "account/" in the "core" namespace (opendeal/core/urls.py): no app_name here.
from django.urls import path

from . import jobs, passwords, people, views

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("register/", views.register, name="register"),
    path("two-factor/", views.two_factor_code, name="two-factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/backup-codes/", views.backup_codes, name="two-factor-backup-codes"),
    path("password/", passwords.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", passwords.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        passwords.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password/reset/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("jobs/<uuid:public_id>/", jobs.job_status, name="job"),
    path("people/", people.people, name="people"),
    path("people/<uuid:public_id>/roles/", people.person_roles, name="person-roles"),
    path(
        "people/<uuid:public_id>/two-factor/reset/",
        people.reset_person_two_factor,
        name="person-two-factor-reset",
    ),
]
