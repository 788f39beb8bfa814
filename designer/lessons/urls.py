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

from designer.lessons import classes, mine  # noqa: E402

urlpatterns += [
    path("classes/", classes.class_list, name="class_list"),
    path("classes/join/", classes.class_join, name="class_join"),
    path("classes/<int:class_id>/", classes.class_detail, name="class_detail"),
    path("classes/<int:class_id>/overview/", classes.class_overview, name="class_overview"),
    path("classes/<int:class_id>/assign/", classes.class_assign, name="class_assign"),
    path("classes/<int:class_id>/start/<slug:activity>/", classes.class_start, name="class_start"),
    path("classes/<int:class_id>/reset/<int:design_id>/", classes.class_reset, name="class_reset"),
    # A teacher's own activities (stored documents).
    path("my-activities/", mine.my_activities, name="my_activities"),
    path("my-activities/import/", mine.activity_import, name="activity_import"),
    path("my-activities/<int:activity_id>/", mine.my_activity, name="my_activity"),
    path("my-activities/<int:activity_id>/export/", mine.my_activity_export, name="my_activity_export"),
    path("my-activities/<int:activity_id>/delete/", mine.my_activity_delete, name="my_activity_delete"),
    path("designs/<int:design_id>/make-activity/", mine.activity_make, name="activity_make"),
    path("my-lessons/<int:lesson_id>/", mine.my_lesson, name="my_lesson"),
    path("my-lessons/<int:lesson_id>/open/", mine.my_lesson_open, name="my_lesson_open"),
    path("my-lessons/<int:lesson_id>/export/", mine.my_lesson_export, name="my_lesson_export"),
    path("my-lessons/<int:lesson_id>/delete/", mine.my_lesson_delete, name="my_lesson_delete"),
]
