from django.http import HttpRequest

from .permissions import is_officer


def narco(request: HttpRequest) -> dict:
    """`narco_officer` for the navigation: lazy, and answered from the user's cached roles."""
    return {"narco_officer": lambda: is_officer(getattr(request, "user", None))}
