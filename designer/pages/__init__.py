"""The server-rendered pages of the designer (the JSON API is designer/api).

Contract of this layer: views are thin. Each one authorizes through `designer.access.access_design`
or `access_share_link` (a missing and a forbidden design or link give the same 404, with no design
data), changes state only by calling one `designer.actions.do_*` function, and renders a template.
No view queries a Design or a ShareLink on its own (tests/web/test_designer_layers.py), so the pages
and the API cannot disagree about who may do what.
"""
