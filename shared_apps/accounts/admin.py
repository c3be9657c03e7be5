from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm

from shared_apps.accounts import services
from shared_apps.accounts.models import Membership, User
from shared_apps.core.admin_site import MarketplaceModelAdmin, marketplace_admin_site
from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import current_tenant


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["tenant", "role", "created"]
    readonly_fields = ["created"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Platform staff's view of every identity."""

    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone", "avatar_url"]}),
        ("Platform", {"fields": ["is_active", "is_staff", "is_superuser", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal: list = []
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            obj.token_version += 1  # deactivated: every token it holds stops working now
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        # An identity's listings, bookings and reviews live in every marketplace's schema,
        # where a delete from the public schema can't follow them: deactivate it instead.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "tenant__schema_name"]
    raw_id_fields = ["user"]


@admin.register(Membership, site=marketplace_admin_site)
class MarketplaceMemberAdmin(MarketplaceModelAdmin):
    """A marketplace admin sees and manages only the members of their own marketplace."""

    list_display = ["user", "role", "created"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = ["user", "role", "created"]
    readonly_fields = ["user", "created"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(tenant=current_tenant()).select_related("user")

    def has_add_permission(self, request) -> bool:
        return False  # people join by signing up; admins change roles

    def save_model(self, request, obj, form, change):
        try:
            services.membership_set_role(membership=obj, role=obj.role)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
