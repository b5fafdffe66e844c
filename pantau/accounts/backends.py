from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in through a request (the login page, the
    admin's). `authenticate()` without a request only comes from code run on the server
    (tests' client.login, a shell), which has no client address to lock out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
