from django.core.mail import send_mail
from django.tasks import task

from pantau.accounts.choices import Role
from pantau.accounts.models import User

from .models import SearchHit


@task
def notify_hit(hit_id: int) -> int:
    """Tell the originating state's officers that a partner searched a matching name. The
    e-mail names no person: the officer reads the hit inside Pantau."""
    hit = SearchHit.objects.select_related("originator", "searcher_state").get(pk=hit_id)
    to = sorted(
        set(
            User.objects.filter(
                role_assignments__role=Role.NARCO_OFFICER,
                role_assignments__member_state=hit.originator,
                is_active=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not to:
        return 0
    return send_mail(
        "[Pantau ASEAN-NARCO] A partner searched a name matching one of your records",
        f"An ASEAN-NARCO officer of {hit.searcher_state} searched a name that matches a record of "
        f"{hit.originator} on {hit.at:%Y-%m-%d %H:%M} UTC. Open Pantau > ASEAN-NARCO > Hits to see "
        "which record, and contact the partner through official channels.\n",
        None,
        to,
    )
