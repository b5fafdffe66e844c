from django.urls import path

from . import views_calendar

urlpatterns = [
    path("<str:token>.ics", views_calendar.feed, name="calendar-feed"),
]
