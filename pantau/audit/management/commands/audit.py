from django.core.management.base import BaseCommand, CommandError

from pantau.audit import checkpoints
from pantau.audit.services import verify, write_checkpoint
from pantau.audit.tasks import checkpoint_task


class Command(BaseCommand):
    help = (
        "Audit log. `audit verify` checks the hash chain end to end and against every signed "
        "checkpoint, listing every broken or missing event (exit 1 when any). `audit checkpoint` "
        "signs the chain head and appends it to the checkpoint log (nothing when the head has "
        "not moved). `audit keygen` creates the signing key."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "keygen"])
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="checkpoint: queue it for the worker, which then repeats it every "
            "PANTAU_AUDIT_CHECKPOINT_SECONDS (`pantau worker` does this when it starts).",
        )

    def handle(self, *args, action, enqueue, **options):
        try:
            if action == "verify":
                self._verify()
            elif action == "checkpoint":
                self._checkpoint(enqueue=enqueue)
            else:
                self._keygen()
        except (checkpoints.CheckpointError, OSError) as exc:
            raise CommandError(str(exc)) from exc

    def _verify(self) -> None:
        result = verify()
        for note in result.notes:
            self.stderr.write(note)
        if not result.ok:
            listed = "\n".join(f"  {problem}" for problem in result.problems)
            raise CommandError(
                f"Audit chain BROKEN: {len(result.problems)} problem(s) "
                f"({result.checked} events and {result.checkpoints} signed checkpoints "
                f"checked):\n{listed}"
            )
        against = f", checked against {result.checkpoints} signed checkpoints" * bool(
            result.checkpoints
        )
        self.stdout.write(f"Audit chain intact: {result.checked} events verified{against}.")

    def _checkpoint(self, *, enqueue: bool) -> None:
        if enqueue:
            checkpoint_task.enqueue()
            self.stdout.write("Audit checkpoint queued for the worker.")
            return
        result = write_checkpoint()
        self.stdout.write(result.message)
        if result.written:
            self.stdout.write(f"Appended to {checkpoints.checkpoint_file()}.")

    def _keygen(self) -> None:
        path = checkpoints.key_file()
        if path.exists():
            raise CommandError(
                f"{path} already exists. To start a new key, move it, its public key and the "
                "checkpoint log aside (keep them: they verify the checkpoints signed so far)."
            )
        public_key = checkpoints.create_key().public_key()
        self.stdout.write(
            f"Created {path} (keep it secret, off the database host) and its public key "
            f"{checkpoints.public_key_file()} (key {checkpoints.key_id(public_key)}), "
            "which is all `pantau audit verify` needs."
        )
