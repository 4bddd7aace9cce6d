"""Teams are set up by administrators in the Django admin (after two-factor sign-in). People's
records are deliberately not in the admin: every view and change of a record goes through the
audited pages and actions."""

from django.contrib import admin

from .models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members", "managers"]
