"""Lesson page URLs (included by designer/urls.py); named for the role x page matrix."""

from django.urls import path

from designer.lessons import views

urlpatterns = [
    path("lessons/", views.lesson_list, name="lesson_list"),
    path("lessons/<slug:lesson>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/<slug:lesson>/open/", views.lesson_open, name="lesson_open"),
    path("lessons/<slug:lesson>/export/", views.lesson_export, name="lesson_export"),
    path("activities/<slug:activity>/", views.activity_detail, name="activity_detail"),
    path("activities/<slug:activity>/start/", views.activity_start, name="activity_start"),
    path("activities/<slug:activity>/export/", views.activity_export, name="activity_export"),
    path("designs/<int:design_id>/activity/", views.activity_work, name="activity_work"),
    path("designs/<int:design_id>/activity/score/", views.activity_score, name="activity_score"),
]
