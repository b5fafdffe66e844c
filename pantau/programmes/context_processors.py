from django.http import HttpRequest

from .permissions import is_editor, sees_all


def programmes(request: HttpRequest) -> dict:
    """`programmes_editor` for the navigation: lazy, answered from the user's cached roles."""

    def shown() -> bool:
        user = getattr(request, "user", None)
        return is_editor(user) or sees_all(user)

    return {"programmes_editor": shown}
