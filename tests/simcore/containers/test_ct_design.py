"""The design checks know a drawn container's image: the same-kernel rule from the catalogue."""

from simcore.design import check, imagecat


def doc(host_os, **container):
    return {"version": 1, "nodes": [
        {"id": "hv", "kind": "host", "os": host_os},
        {"id": "ct1", "kind": "container", "host": "hv", **container}]}


def kernel(problems):
    return [(p.code, p.path, p.msg) for p in problems if p.code == "check.container_kernel"]


def test_a_windows_image_on_a_linux_host_is_refused_at_its_image():
    assert kernel(check(doc("linux", image="mcr.microsoft.com/windows/servercore:ltsc2022"))) == [
        ("check.container_kernel", "nodes[1].image",
         "Container ct1 cannot run on hv: a container shares the host's kernel, and its image "
         "mcr.microsoft.com/windows/servercore:ltsc2022 is a Windows image, and it cannot run on a Linux host.")]


def test_a_linux_image_on_a_windows_host_is_refused():
    assert [p[1] for p in kernel(check(doc("windows", image="nginx:1.27")))] == ["nodes[1].image"]


def test_an_image_that_contradicts_the_os_field():
    assert kernel(check(doc("linux", image="mcr.microsoft.com/windows/servercore:ltsc2022", os="linux"))) == [
        ("check.container_kernel", "nodes[1].image",
         "Container ct1: its image mcr.microsoft.com/windows/servercore:ltsc2022 is a Windows image, not Linux as its "
         "OS family says.")]


def test_matching_images_unknown_images_and_the_os_field_alone():
    assert kernel(check(doc("linux", image="nginx:1.27"))) == []
    assert kernel(check(doc("linux", image="images:alpine/3.20"))) == []
    assert kernel(check(doc("linux", image="example.org/own:1"))) == []  # not in the catalogue: nothing known
    assert [p[1] for p in kernel(check(doc("linux", os="windows")))] == ["nodes[1].os"]


def test_the_catalogue_names_images_as_the_tools_do():
    assert imagecat.os_of("nginx") == "linux" and imagecat.os_of("docker.io/library/nginx:1.27") == "linux"
    assert imagecat.os_of("images:ubuntu/noble") == "linux" and imagecat.os_of("nginx:0.1") is None
    refs = [imagecat.reference(r) for r in imagecat.rows()]
    for ref in ("ubuntu:24.04", "debian:12", "alpine:3.20", "nginx:1.27", "httpd:2.4", "postgres:16",
                "mcr.microsoft.com/windows/servercore:ltsc2022", "images:ubuntu/24.04", "images:debian/12"):
        assert ref in refs


def drawn(image, services=None, script=()):
    from simcore.network import Network

    ct = {"id": "ct1", "kind": "container", "name": "web", "host": "hv", "image": image,
          "nics": [{"name": "eth0", "mac": "02:00:00:00:00:31", "ip": "192.168.1.31/24"}]}
    if services is not None:
        ct["services"] = services
    doc = {"version": 1, "nodes": [
        {"id": "hv", "kind": "host", "os": "linux", "nics": [{"name": "eth0", "ip": "192.168.1.10/24"}]},
        {"id": "pc", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "192.168.1.20/24"}]},
        {"id": "sw", "kind": "lan_switch"}, ct],
        "links": [{"id": "l1", "a": {"node": "hv", "nic": "eth0"}, "b": {"node": "sw"}},
                  {"id": "l2", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "sw"}},
                  {"id": "l3", "a": {"node": "ct1", "nic": "eth0"}, "b": {"node": "sw"}}],
        "script": [{"at": at, "node": node, "command": line} for at, node, line in script]}
    net = Network.from_design(doc, seed=0, trace=[])
    net.run_until(max([at for at, _n, _l in script], default=0) + 1)
    return net


def said(net, node, t):
    return [text for when, n, text in net.console_lines() if n == node and t * 10**9 <= when < (t + 1) * 10**9]


def test_a_drawn_container_is_its_image_on_its_host_s_kernel():
    net = drawn("nginx:1.27", script=[(1.0, "pc", "curl -sI http://192.168.1.31/"), (2.0, "ct1", "ps aux"),
                                      (3.0, "ct1", "uname -r"), (4.0, "hv", "docker ps"), (5.0, "hv", "docker stop web"),
                                      (6.0, "pc", "curl -s http://192.168.1.31/"), (7.0, "hv", "docker start web"),
                                      (8.0, "pc", "curl -sI http://192.168.1.31/")])
    assert said(net, "pc", 1)[:2] == ["HTTP/1.1 200 OK", "Server: nginx/1.22.1"]
    assert [line.split(None, 10)[10] for line in said(net, "ct1", 2)[1:]] == [
        "nginx: master process nginx -g daemon off;", "nginx: worker process", "ps aux"]
    assert said(net, "ct1", 3) == ["6.8.0-45-generic"]
    assert said(net, "hv", 4)[1].split()[-1] == "web" and "Up 4 seconds" in said(net, "hv", 4)[1]
    assert said(net, "pc", 6) == []  # stopped: nobody answers
    assert said(net, "pc", 8)[0] == "HTTP/1.1 200 OK"  # started again with the drawn address


def test_a_drawn_container_s_own_services_win_and_an_unknown_image_stays_a_plain_machine():
    net = drawn("nginx:1.27", services=[{"kind": "http", "server": "apache", "body": "own"}],
                script=[(1.0, "pc", "curl -s http://192.168.1.31/")])
    assert said(net, "pc", 1) == ["own"]
    net = drawn("example.org/own:1", script=[(1.0, "hv", "docker ps -a")])
    assert said(net, "hv", 1) == ["CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"]
    assert getattr(net.nodes["ct1"], "guest", None) is None
