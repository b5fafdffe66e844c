from ninja import Router

from pantau.accounts.api_auth import authenticated
from pantau.accounts.schemas import MeOut

router = Router(tags=["Accounts"], auth=authenticated)


@router.get("", response=MeOut, summary="Who am I: the caller's roles and their scope")
def me(request):
    rows = request.user.role_assignments.values_list(
        "role", "member_state__code", "working_group__code"
    )
    return {
        "username": request.user.username,
        "display_name": request.user.display_name,
        "roles": [{"role": r, "member_state": m, "working_group": w} for r, m, w in rows],
    }
