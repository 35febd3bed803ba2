from django.contrib import admin

from .models import Membership, Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "slug", "time_zone", "is_active"]
    list_filter = ["level", "time_zone", "is_active"]
    search_fields = ["name", "code", "slug"]
    readonly_fields = ["code", "path", "depth", "level", "parent", "slug", "region_name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "office__name"]
    raw_id_fields = ["user", "office", "invited_by"]
