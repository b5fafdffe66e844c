"""A draft survey's area rows from a CSV or XLSX file (the columns of services.AREA_FIELDS):
kept on upload and queued; the worker reads it in a bounded child process and sets the
survey's areas through services.set_survey_areas, as the uploader, all rows or none."""

import secrets
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from pantau.accounts.models import User
from pantau.audit.services import record

from .models import CultivationSurvey, SurveyAreasUpload
from .services import check_editable
from .tasks import import_survey_areas_task

MAX_BYTES = 5 * 1024 * 1024


def register_survey_areas_file(
    *, acting_user: User, survey: CultivationSurvey, uploaded_file
) -> SurveyAreasUpload:
    check_editable(acting_user, survey, None)
    size = getattr(uploaded_file, "size", 0) or 0
    if not size or size > MAX_BYTES:
        raise ValidationError(f"The file is empty or larger than {MAX_BYTES // 1024 // 1024} MB")
    file_name = Path(uploaded_file.name or "areas").name[:200] or "areas"
    stored = default_storage.save(
        f"cultivation/surveys/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
        f"{get_valid_filename(file_name) or 'areas'}",
        uploaded_file,
    )
    with transaction.atomic():
        upload = SurveyAreasUpload.objects.create(
            survey=survey,
            file_name=file_name,
            stored_name=stored,
            uploaded_by=acting_user,
            created_at=timezone.now(),
        )
        record(
            actor=acting_user,
            action="cultivation.survey.file",
            obj=upload,
            member_state=survey.member_state.code,
            after={"file_name": file_name, "stored_as": stored},
        )
        pk = upload.pk
        transaction.on_commit(lambda: import_survey_areas_task.enqueue(pk))
    return upload
