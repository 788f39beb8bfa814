"""The current run's capture, as a file: `GET /api/designs/{id}/run/pcap?capture=<name>`.

`capture` names one capture point of the design (`vm1_eth0`, `l1`): a classic pcap (nanosecond
timestamps, Ethernet). Without it: every capture point in one pcapng, one interface per point.
Whoever may VIEW the design may download (`access_design`, the same 404 for missing and
forbidden); no run going is 404 `run.none`; an unknown capture point is 404 `run.no_capture`.

The run lives in this process's event loop (designer.simulation.registry); this sync view runs in
a worker thread (Django's ASGI handler), so it asks the run through the loop and waits. With
several processes (Redis), a run hosted by another process is asked through that process's
mailbox channel (`RemoteRun.request`, the same path as forwarded control messages).
"""

from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync
from django.http import HttpResponse
from ninja import Query, Router, Schema

from designer.access import Need, access_design
from designer.api.schemas import ErrorOut
from designer.errors import DesignerError
from designer.simulation.registry import REGISTRY, RemoteRun

ERRORS = frozenset(range(400, 430))
TIMEOUT_S = 30.0
router = Router(tags=["simulation"])


class PcapQuery(Schema):
    capture: str | None = None


def _no_run() -> DesignerError:
    return DesignerError("No simulation is running for this design.", code="run.none", status=404)


@router.get("/designs/{int:design_id}/run/pcap", response={200: None, ERRORS: ErrorOut}, url_name="api_run_pcap",
            openapi_extra={"responses": {200: {"description": "pcap (one capture point) or pcapng (all)",
                                               "content": {"application/vnd.tcpdump.pcap": {},
                                                           "application/x-pcapng": {}}}}})
def run_pcap(request, design_id: int, query: Query[PcapQuery]):
    access = access_design(request.auth, design_id, Need.VIEW)
    name = query.capture
    if name is not None and (len(name) > 200 or not name.isprintable()):
        raise DesignerError("No such capture point.", code="run.no_capture", status=404)
    run = REGISTRY.get(access.design.pk)
    try:
        if run is not None and run.loop is not None and run.loop.is_running():
            run_id = run.run_id
            future = asyncio.run_coroutine_threadsafe(run.request("pcap", capture=name), run.loop)
            try:
                data = future.result(TIMEOUT_S)
            except TimeoutError:
                future.cancel()
                raise DesignerError("The run did not answer in time.", code="run.timeout", status=409) from None
        else:
            run_id, data = async_to_sync(_remote_pcap)(access.design.pk, name)
            if run_id is None:
                raise _no_run()
    except DesignerError as exc:
        if exc.code == "run.none":
            raise
        if exc.code == "run.refused":
            raise DesignerError(exc.msg, code="run.no_capture", status=404) from None
        if exc.code == "run.timeout":
            raise DesignerError(exc.msg, code="run.timeout", status=409) from None
        raise _no_run() from None
    if name is None:
        response = HttpResponse(data, content_type="application/x-pcapng")
        filename = f"design-{access.design.pk}-run-{run_id}.pcapng"
    else:
        response = HttpResponse(data, content_type="application/vnd.tcpdump.pcap")
        filename = f"{name}.pcap"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def _remote_pcap(design_id: int, name: str | None):
    """(run id, bytes) of a run hosted by another process, or (None, None) when none is going."""
    run = await REGISTRY.find(design_id)
    if not isinstance(run, RemoteRun):
        return None, None
    return run.run_id, await run.request("pcap", timeout=TIMEOUT_S, capture=name)
