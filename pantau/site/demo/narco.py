"""The ASEAN-NARCO demo: officers of Thailand, Malaysia and Lao PDR, each with a TOTP
device, and a few records. Every name starts "Illustrative": the persons and syndicates are
made up. Loading twice creates nothing new."""

from django.db import transaction
from django.db.models import Q

from pantau.accounts import otp
from pantau.accounts.choices import Role
from pantau.accounts.models import User
from pantau.accounts.services import assign_role, create_user
from pantau.members.models import MemberState
from pantau.narco import services
from pantau.narco.choices import InformationGrade, PersonStatus, Sharing, SourceReliability
from pantau.narco.models import NameKey
from pantau.site.demo.accounts import ACTOR, DEMO_PASSWORD, ensure_demo_device

OFFICERS = [("th.narco", "TH"), ("my.narco", "MY"), ("la.narco", "LA")]


def _officer(username: str, code: str) -> tuple[User, bool]:
    state = MemberState.objects.get(code=code)
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = create_user(
            acting_user=ACTOR,
            username=username,
            password=DEMO_PASSWORD,
            display_name=f"{state.name} ASEAN-NARCO officer (demo)",
            email=f"{username}@demo.pantau.invalid",
            is_demo=True,
        )
    assign_role(acting_user=ACTOR, user=user, role=Role.NARCO_OFFICER, member_state=state)
    return user, created


def demo_totp(user: User) -> tuple[str, str]:
    """(base32 secret, otpauth:// URI) of the officer's demo TOTP device, created (through
    the accounts services, like every demo account's) if missing: officers must sign in
    with a second factor, so the loader prints what an authenticator app needs."""
    secret = ensure_demo_device(user)
    device = otp.confirmed_device(user)
    assert device is not None
    return secret, device.config_url


def _exists(name: str) -> bool:
    demo = Q(person__is_demo=True) | Q(syndicate__is_demo=True)
    return NameKey.objects.filter(demo, name=name).exists()


@transaction.atomic
def load_narco_demo() -> list[str]:
    """Create what is missing; returns the lines the demo command prints."""
    officers: dict[str, User] = {}
    created = 0
    for username, code in OFFICERS:
        officers[code], new = _officer(username, code)
        created += new
    th, my, la = officers["TH"], officers["MY"], officers["LA"]
    records = 0

    fugitive = "Illustrative Somchai Demo"
    if not _exists(fugitive):
        services.create_person(
            acting_user=th,
            names=[fugitive, "Illustrative สมชาย เดโม"],
            nationality="TH",
            date_of_birth="1979-04-01",
            identity_documents=[{"type": "passport", "number": "DEMO0000001", "country": "TH"}],
            wanted_by="TH",
            wanted_for="Illustrative: trafficking of methamphetamine tablets (demo record)",
            status=PersonStatus.WANTED,
            originating_agency="Illustrative narcotics bureau (demo)",
            sharing=Sharing.STATES,
            shared_with=["MY"],
            is_demo=True,
        )
        records += 1

    # One man, two romanisations of his name (as "Tse Chi Lop" / "Xie Zhiliang" would be).
    boss = "Illustrative Chan Ka Demo"
    boss_person = None
    if not _exists(boss):
        boss_person = services.create_person(
            acting_user=my,
            names=[boss, "Illustrative Chen Jia Demo"],
            nationality="MY",
            date_of_birth="1964-11-20",
            identity_documents=[{"type": "passport", "number": "DEMO0000002", "country": "MY"}],
            wanted_by="MY",
            wanted_for="Illustrative: leading a regional trafficking syndicate (demo record)",
            status=PersonStatus.WANTED,
            sharing=Sharing.ALL,
            is_demo=True,
        )
        records += 1

    courier = "Illustrative Nguyễn Văn Demo"
    if not _exists(courier):
        services.create_person(
            acting_user=la,
            names=[courier, "Illustrative Nguyen Van Demo"],
            nationality="VN",
            status=PersonStatus.OF_INTEREST,
            notes="Illustrative: shared with Thailand only; a search from Malaysia is a hit.",
            sharing=Sharing.STATES,
            shared_with=["TH"],
            is_demo=True,
        )
        records += 1

    network = "Illustrative Golden Demo Network"
    if not _exists(network):
        members = [boss_person.pk] if boss_person else []
        syndicate = services.create_syndicate(
            acting_user=my,
            name=network,
            aliases=["Illustrative GDN"],
            areas_of_operation=["Illustrative border area (demo)"],
            drug_types=["methamphetamine"],
            precursors=["pseudoephedrine"],
            modus_operandi="Illustrative: concealment in agricultural produce (demo record)",
            members=members,
            sharing=Sharing.ALL,
            is_demo=True,
        )
        services.add_watch_entry(
            acting_user=th,
            syndicate=syndicate,
            activity="Illustrative: shipment expected through a northern checkpoint (demo)",
            source_agency="Illustrative narcotics bureau (demo)",
            source_reliability=SourceReliability.B,
            information_grade=InformationGrade.G2,
            sharing=Sharing.ALL,
            is_demo=True,
        )
        records += 1

    lines = [
        f"ASEAN-NARCO demo: {created} officers and {records} illustrative records created.",
        f"ASEAN-NARCO officers (password {DEMO_PASSWORD!r}):",
    ]
    for username, code in OFFICERS:
        if not officers[code].is_demo:  # a real account of that name: its secret stays its own
            lines.append(f"  {username:16} {code}  (not a demo account: no TOTP secret shown)")
            continue
        secret, uri = demo_totp(officers[code])
        lines.append(f"  {username:16} {code}  TOTP secret (base32): {secret}")
        lines.append(f"    {uri}")
    return lines
