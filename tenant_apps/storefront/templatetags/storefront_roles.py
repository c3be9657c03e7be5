"""`{% marketplace_role as role %}`: the signed-in person's role here ("" when none), so
the navigation offers hosting and admin pages only to those who may open them."""

from django import template

from shared_apps.core.permissions import request_membership

register = template.Library()


@register.simple_tag(takes_context=True)
def marketplace_role(context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    membership = request_membership(request)
    return membership.role if membership is not None else ""
