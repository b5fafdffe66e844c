"""Background work of the accounts app: the password-reset e-mail."""

from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task


@task
def send_password_reset_email(email: str, domain: str, use_https: bool) -> int:
    """Send a reset link to each active account with that e-mail and a usable password
    (Django's PasswordResetForm decides, and makes the one-use token); none, silently, when
    no account has it. The link is made here, so the queue never holds a token. Retrying
    sends a new link, which is harmless."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name="accounts/password_reset_subject.txt",
        email_template_name="accounts/password_reset_email.txt",
    )
    return len(users)
