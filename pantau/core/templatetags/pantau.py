from django import template

register = template.Library()


@register.filter
def attr(obj, name: str):
    """The value of `obj.name`, for tables that list fields by name."""
    return getattr(obj, name, "")
