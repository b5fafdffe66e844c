from django.core.management.base import BaseCommand

from pantau.site.setup import load_reference_and_catalogues


class Command(BaseCommand):
    help = "Load the Member States, partners and the bundled Work Plan catalogues (idempotent)."

    def handle(self, *args, **options):
        counts, results = load_reference_and_catalogues()
        self.stdout.write(
            f"Member States, agencies, partners: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged."
        )
        for r in results:
            state = "loaded" if r.changed else "already up to date"
            self.stdout.write(f"Work Plan {r.plan.code}: {state}.")
