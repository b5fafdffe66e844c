"""`pantau export`: write stored observations as the long CSV (which `pantau import` reads
back), an Excel workbook or an SDMX-ML data message."""

import io
import os
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...exchange.exports import FORMATS, UNITS, ExportError, export, selection


class Command(BaseCommand):
    help = (
        "Export statistics: --format csv (the long exchange CSV, re-importable with "
        "`pantau import`), xlsx (the same rows in a workbook) or sdmx (SDMX-ML 2.1 "
        "structure-specific data). Writes to --output, or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--indicator", default="", help="Indicator codes, comma separated (default: all)"
        )
        parser.add_argument(
            "--ref-area", default="", help="Member State codes, comma separated (default: all)"
        )
        parser.add_argument(
            "--period",
            default="",
            help="2015:2024, a list 2019,2020, quarters 2020-Q1:2020-Q4 (default: every period)",
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", "-o", metavar="FILE", help="Default: standard output")
        parser.add_argument(
            "--units",
            choices=UNITS,
            default="reported",
            help="reported: the unit each country reported in (importing the file changes "
            "nothing); canonical: kg, litre, unit, ha...",
        )
        parser.add_argument(
            "--published", action="store_true", help="Published values only (open data)"
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Export what this user may see (default: the operator sees every value)",
        )

    def handle(
        self,
        *args,
        indicator,
        ref_area,
        period,
        format,
        output,
        units,
        published,
        as_user,
        **options,
    ):
        acting_user = None
        if as_user:
            try:
                acting_user = get_user_model().objects.get(username=as_user, is_active=True)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No active user {as_user!r}") from exc
        try:
            chosen = selection(
                indicators=indicator,
                ref_areas=ref_area,
                periods=period,
                published_only=published,
                units=units,
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if output:
            path = Path(output)
            partial = path.with_name(path.name + ".part")
            try:
                with open(partial, "wb") as out:
                    count = export(acting_user, chosen, format, out, system=not as_user)
                partial.replace(path)
            finally:
                partial.unlink(missing_ok=True)
            self.stderr.write(f"{count} observation{'' if count == 1 else 's'} written to {path}")
        else:
            stream = getattr(self.stdout, "_out", sys.stdout)
            buffer = getattr(stream, "buffer", None)
            if format == "xlsx" and (buffer is None or stream.isatty()):
                raise CommandError("A workbook is not for the terminal: give --output FILE")
            if buffer is not None:
                stream.flush()
                try:
                    count = export(acting_user, chosen, format, buffer, system=not as_user)
                    buffer.flush()
                except BrokenPipeError:
                    # The reader went away (`pantau export | head`): stop quietly.
                    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
                    return
            else:  # a text stream (call_command(stdout=...)): CSV and SDMX-ML are UTF-8 text
                data = io.BytesIO()
                count = export(acting_user, chosen, format, data, system=not as_user)
                stream.write(data.getvalue().decode("utf-8"))
            self.stderr.write(f"{count} observation{'' if count == 1 else 's'}")
