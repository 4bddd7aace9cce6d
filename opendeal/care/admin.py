"""Administrators keep teams on the care teams pages (`care/views/teams.py`), which check who
may join and audit each change; the admin only lists them. People's records are deliberately
not in the admin: every view and change of a record goes through the audited pages and actions."""

from django.contrib import admin

from .models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
