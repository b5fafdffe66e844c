from .contention import contended_db, sqlite_template, worker_db  # noqa: F401
