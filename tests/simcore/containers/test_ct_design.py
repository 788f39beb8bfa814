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
