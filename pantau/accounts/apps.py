from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pantau.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_session

        # Session bookkeeping, not business logic: every sign-in (the login page, the
        # second factor, tests' force_login) starts the session's clocks.
        user_logged_in.connect(stamp_session, dispatch_uid="pantau.accounts.stamp_session")
