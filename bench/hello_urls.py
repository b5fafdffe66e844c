"""The application's URLs and, first, a hello-world view (bench/hello.py)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as application


def hello(request):
    return HttpResponse(b"Hello, world", content_type="text/plain")


urlpatterns = [path("bench-hello/", hello), *application]
