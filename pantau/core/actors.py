"""Who acts. Every service takes `acting_user`: a signed-in `User`, or a `SystemActor` for what
runs without one (set-up, the background worker, imports and checks run from the command line,
the demo loader). A system actor is named, and its name is what the audit log records; it is
never a bare string, so a typo cannot turn a user into an anonymous writer."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # for the type only: core imports no app
    from pantau.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """A process acting with the server's own rights, audited under its name."""

    name: str

    # Read like an anonymous user by the permission predicates: a system actor holds no role.
    is_authenticated = False
    is_active = False
    is_superuser = False
    pk = None

    def get_username(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


Actor = Union["User", SystemActor]

SETUP = SystemActor("pantau setup")
DEMO = SystemActor("pantau demo load")
WORKER = SystemActor("pantau worker")


def actor_label(actor: "Actor") -> str:
    """The name the audit log and the records keep of an actor."""
    if isinstance(actor, SystemActor):
        return actor.name
    return actor.get_username()


def is_user(actor: "Actor | None") -> bool:
    return actor is not None and not isinstance(actor, SystemActor) and actor.is_authenticated
