"""Admin: for looking and for fixing ownership or flags; documents change only through actions."""

from django.contrib import admin

from designer.models import Design, Membership, Revision, ShareLink


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "version", "is_example", "updated_at", "deleted_at")
    list_filter = ("is_example",)
    search_fields = ("name", "owner__username", "example_slug")
    # The document changes only through actions (validated, versioned, with a revision).
    readonly_fields = ("document", "version", "created_at")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("design", "number", "author", "created_at", "note")
    readonly_fields = ("design", "number", "document", "author", "created_at")


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ("design", "role", "created_by", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("token", "created_at")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "design", "role", "via_link", "created_at")
