from django import template

register = template.Library()


@register.filter
def attr(obj, name: str):
    """The value of `obj.name`, for tables that list fields by name."""
    return getattr(obj, name, "")


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template (None when missing)."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None
