from django.db import connection


def branding(request):
    """The current marketplace's branding for the white-label templates."""
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    return {"marketplace": tenant if getattr(tenant, "pk", None) else None}
