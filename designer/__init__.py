"""The designer web app: saved designs, sharing, permissions, the JSON API and the websocket.

Layers, each in its own module (Zulip's split, Django contrib's small files):

- `models` — Design, Revision, ShareLink, Membership: storage only, no policy.
- `access` — the ONE place that decides who may do what: `access_design(actor, id, need)`
  fetches and authorizes, answering `DesignNotFound` alike for missing and forbidden.
- `actions` — every state change (`do_*`): validate at the door, save in a transaction, write a
  Revision, then notify the design's channel-layer group `design.<id>`.
- `api/` (django-ninja), `pages/` (templates) and `consumers` (websocket) are thin doors that
  call `access` and `actions`, so HTTP and websocket cannot drift apart.
- `jsondoor` and `limits` — strict JSON parsing and size/rate limits shared by every door.

No module here is imported by `simcore`; designs are validated with `simcore.design`.
"""
