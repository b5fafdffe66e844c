"""Settings of the `api` figure's limit: a hello-world Django view (bench/hello_urls.py),
served the same way as Pantau (`pantau serve`: granian, the same workers and threads, the same
settings and middleware), with DJANGO_SETTINGS_MODULE=bench.hello. Benchmark only: production's
settings and URLconf (config/) never name these modules."""

from config.settings import *  # noqa: F403  # the application's settings, but the URLconf

ROOT_URLCONF = "bench.hello_urls"
