from django.contrib.admin.apps import AdminConfig


class GuardedAdminConfig(AdminConfig):
    """django.contrib.admin, whose site guards every list (feminisation.admin_site)."""

    default_site = "feminisation.admin_site.AdminSite"
