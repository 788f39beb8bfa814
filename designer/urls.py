"""Page URLs of the designer (the JSON API is mounted at /api/ by config/urls.py).

Every pattern has a name: the role x endpoint matrix (tests/web/test_permission_matrix.py) walks
the URLconf and needs an expectation for each (tests/web/matrix_pages.py).
"""

from django.urls import include, path

from designer.pages import accounts, design, home, present, revisions, sharing

urlpatterns = [
    path("", home.home, name="home"),
    path("examples/", home.examples, name="examples"),
    # Accounts
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    # Designs
    path("designs/new/", design.design_new, name="design_new"),
    path("designs/import/", design.design_import, name="design_import"),
    path("designs/<int:design_id>/", design.design_detail, name="design_detail"),
    path("designs/<int:design_id>/present/", present.design_present, name="design_present"),
    path("designs/<int:design_id>/export/", design.design_export, name="design_export"),
    path("designs/<int:design_id>/copy/", design.design_copy, name="design_copy"),
    path("designs/<int:design_id>/delete/", design.design_delete, name="design_delete"),
    path("designs/<int:design_id>/restore/", design.design_restore, name="design_restore"),
    path("designs/<int:design_id>/share/", sharing.design_share, name="design_share"),
    path("designs/<int:design_id>/share/<int:link_id>/revoke/", sharing.design_share_revoke, name="design_share_revoke"),
    path("designs/<int:design_id>/revisions/", revisions.design_revisions, name="design_revisions"),
    path(
        "designs/<int:design_id>/revisions/<int:number>/restore/",
        revisions.design_revision_restore,
        name="design_revision_restore",
    ),
    path("trash/", design.trash, name="trash"),
    path("s/<str:token>/", sharing.share_link_open, name="share_link_open"),
    path("", include("designer.lessons.urls")),
]
