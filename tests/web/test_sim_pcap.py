"""pcap download of the current run (`GET /api/designs/{id}/run/pcap`): one capture point as a
classic pcap, all of them as pcapng; parsed with dpkt (and tshark when it is installed), an oracle
we did not write."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess

import dpkt
import pytest
from asgiref.sync import sync_to_async
from test_sim_websocket import FAST, _clean_runs, connect, ping_done, receive_until, start  # noqa: F401
from webhelpers import build_world

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


async def download(world, role: str, capture: str | None = None):
    url = f"/api/designs/{world.design.pk}/run/pcap" + (f"?capture={capture}" if capture else "")
    return await sync_to_async(lambda: world.client(role).get(url))()


async def ran_the_ping(world):
    owner = await connect(world, "owner")
    await start(owner, speed=FAST)
    await receive_until(owner, ping_done)
    await owner.send_json_to({"type": "run.pause"})
    await receive_until(owner, lambda m: m["type"] == "run.status" and m["status"] == "paused")
    # A fixed instant, whatever wall time the test took: the captures are those of t = 4 s.
    await owner.send_json_to({"type": "run.seek", "t": 4.0})
    await receive_until(owner, lambda m: m["type"] == "run.seeked" and m["t"] == 4_000_000_000)
    return owner


def pcapng_interfaces(data: bytes) -> tuple[list[str], dict[int, int]]:
    """Interface names (IDB if_name) and packets per interface (EPB), walking the blocks
    (dpkt's reader keeps only the first interface)."""
    names, counts, at = [], {}, 0
    while at < len(data):
        kind, length = struct.unpack_from("<II", data, at)
        body = data[at + 8:at + length - 4]
        if kind == 1:  # IDB: linktype, reserved, snaplen, then options
            opt = 8
            while opt < len(body):
                code, size = struct.unpack_from("<HH", body, opt)
                if code == 2:
                    names.append(body[opt + 4:opt + 4 + size].decode())
                if code == 0:
                    break
                opt += 4 + size + (-size % 4)
        elif kind == 6:
            iface = struct.unpack_from("<I", body, 0)[0]
            counts[iface] = counts.get(iface, 0) + 1
        at += length
    return names, counts


def frames_of_pcap(data: bytes) -> list[bytes]:
    return [buf for _ts, buf in dpkt.pcap.Reader(io.BytesIO(data))]


async def test_one_capture_point_is_a_classic_pcap_of_the_ping():
    world = await sync_to_async(build_world)()
    owner = await ran_the_ping(world)
    answer = await download(world, "viewer", "vm1_eth0")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/vnd.tcpdump.pcap"
    assert answer["Content-Disposition"] == 'attachment; filename="vm1_eth0.pcap"'
    frames = [dpkt.ethernet.Ethernet(buf) for buf in frames_of_pcap(answer.content)]
    kinds = [type(f.data).__name__ + (f".{type(f.data.data).__name__}" if isinstance(f.data, dpkt.ip.IP) else "")
             for f in frames]
    assert kinds == ["ARP", "ARP"] + ["IP.ICMP"] * 6  # who-has, is-at, three echo requests and replies
    echo = [f.data.data for f in frames if isinstance(f.data, dpkt.ip.IP)]
    assert [e.type for e in echo] == [8, 0, 8, 0, 8, 0]
    await owner.disconnect()


async def test_all_capture_points_are_one_pcapng_with_an_interface_each():
    world = await sync_to_async(build_world)()
    owner = await ran_the_ping(world)
    answer = await download(world, "link_viewer")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/x-pcapng"
    packets = list(dpkt.pcapng.Reader(io.BytesIO(answer.content)))
    names, per_interface = pcapng_interfaces(answer.content)
    assert names == ["vm1_eth0", "vm2_eth0", "vm3_eth0"]
    assert per_interface == {0: 8, 1: 8, 2: 1}
    # vm1 and vm2 see the whole conversation (8 frames each); vm3 only the flooded ARP request.
    assert len(packets) == 8 + 8 + 1
    times = [ts for ts, _buf in packets]
    assert times == sorted(times)
    if shutil.which("tshark"):
        path = world.design.pk
        tmp = f"/tmp/sim-pcap-test-{path}.pcapng"
        with open(tmp, "wb") as f:
            f.write(answer.content)
        out = subprocess.run(["tshark", "-r", tmp, "-T", "fields", "-e", "frame.interface_name", "-e", "_ws.col.Protocol"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        rows = [line.split("\t") for line in out.stdout.splitlines()]
        assert len(rows) == 17 and {r[0] for r in rows} == {"vm1_eth0", "vm2_eth0", "vm3_eth0"}
    await owner.disconnect()


@pytest.mark.parametrize("role, capture, status, code", [
    ("stranger", "vm1_eth0", 404, "design.not_found"),
    ("anonymous", None, 404, "design.not_found"),
    ("viewer", "nope", 404, "run.no_capture"),
    ("owner", "vm1_eth0", 200, None),
])
async def test_who_may_download_and_what(role, capture, status, code):
    world = await sync_to_async(build_world)()
    owner = await ran_the_ping(world)
    answer = await download(world, role, capture)
    assert answer.status_code == status
    if code is not None:
        assert answer.json()["code"] == code
        assert b"08:00:27" not in answer.content
    await owner.disconnect()


async def test_no_run_is_404_run_none():
    world = await sync_to_async(build_world)()
    answer = await download(world, "owner", "vm1_eth0")
    assert (answer.status_code, answer.json()["code"]) == (404, "run.none")
