"""docker on a host's console, as conversations: what is typed, what Docker prints, what is traced."""

import pytest
from ct_designs import events, out, run

PS_HEADER = "CONTAINER ID   IMAGE        COMMAND                  CREATED        STATUS        PORTS                  NAMES"


def test_an_empty_ps_is_its_header():
    assert out(run(["docker ps"])) == ["CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"]


def test_run_pulls_then_starts_one_process_on_docker0():
    trace = []
    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", "docker ps", "docker exec web ps aux"], trace=trace)
    pulled = out(net, at=1)
    assert pulled[:2] == ["Unable to find image 'nginx:1.27' locally", "1.27: Pulling from library/nginx"]
    assert pulled[-3].startswith("Digest: sha256:") and pulled[-2] == "Status: Downloaded newer image for nginx:1.27"
    cid = pulled[-1]
    assert len(cid) == 64 and all(ch in "0123456789abcdef" for ch in cid)
    assert out(net, at=2) == [PS_HEADER, f"{cid[:12]}   nginx:1.27   \"/docker-entrypoint.…\"   1 second ago   "
                                         "Up 1 second   0.0.0.0:8080->80/tcp   web"]
    ps = out(net, at=3)
    assert [line.split(None, 10)[10] for line in ps[1:]] == ["nginx: master process nginx -g daemon off;",
                                                           "nginx: worker process", "ps aux"]
    node = net.nodes["hv-web"]
    assert node.stack.primary_ip("eth0") == "172.17.0.2" and node.nics["eth0"].mac == "02:42:ac:11:00:02"
    assert net.nodes["hv"].stack.primary_ip("docker0") == "172.17.0.1"
    created = events(trace, "container.created")[0]
    assert (created["node"], created["runtime"], created["image"], created["bridge"]) == (
        "hv-web", "docker", "nginx:1.27", "hv-docker0")
    started = events(trace, "container.state")[0]
    assert started["text"] == ("web starts (docker run on hv): one process, nginx -g daemon off;, at 172.17.0.2 on "
                               "docker0, in about 0.4 s and 8 MiB (no kernel to boot, no RAM set aside)")


def test_a_published_port_is_a_dnat_rule_of_the_host_whose_hits_show_in_its_nat_table():
    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", (2.0, "pc", "curl -sI http://192.168.1.10:8080/"),
               (3.0, "hv", "conntrack -L"), (4.0, "pc", "curl -s http://192.168.1.10:8081/")])
    head = out(net, "pc", at=2)
    assert head[:2] == ["HTTP/1.1 200 OK", "Server: nginx/1.22.1"]
    assert out(net, at=3)[0].startswith("tcp      6 119 TIME_WAIT src=192.168.1.20 dst=192.168.1.10 sport=")
    assert "src=172.17.0.2 dst=192.168.1.20 sport=80" in out(net, at=3)[0]
    table = net.tables()["nat"]["hv-docker0"]
    assert [(r["host_port"], r["guest_ip"], r["guest_port"], r["hits"]) for r in table["port_forwards"]] == [
        (8080, "172.17.0.2", 80, 1)]
    assert out(net, "pc", at=4) == []  # no rule for 8081: the host answers RST, curl -s prints nothing


def test_the_page_is_a_file_of_the_container():
    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", "echo '<h1>mine</h1>' > index.html",
               "docker cp index.html web:/usr/share/nginx/html/", (4.0, "pc", "curl -s http://192.168.1.10:8080/")])
    assert out(net, at=3) == ["Successfully copied 2.05kB to web:/usr/share/nginx/html/"]
    assert out(net, "pc", at=4) == ["<h1>mine</h1>"]


def test_same_kernel_rule_and_os_release():
    trace = []
    net = run(["docker run alpine:3.20 uname -r", "docker run alpine:3.20 cat /etc/os-release",
               "docker run mcr.microsoft.com/windows/servercore:ltsc2022"], trace=trace)
    assert out(net, at=1)[-1] == "6.8.0-45-generic"
    assert out(net, at=2)[0] == 'NAME="Alpine Linux"'
    assert out(net, at=3) == [
        "Unable to find image 'mcr.microsoft.com/windows/servercore:ltsc2022' locally",
        "ltsc2022: Pulling from windows/servercore",
        "docker: Error response from daemon: no matching manifest for linux/amd64 in the manifest list entries",
        "See 'docker run --help'."]
    assert [e["exit"] for e in trace if e["kind"] == "command.exit"] == [0, 0, 125]
    assert events(trace, "container.refused")[0]["reason"].endswith(
        "is a Windows image and hv runs a Linux kernel: a container's processes run on its host's kernel")


def test_a_linux_image_on_a_windows_host_is_refused_the_other_way():
    net = run(["docker run nginx:1.27"], windows=True)
    assert out(net)[-2] == ("docker: Error response from daemon: no matching manifest for windows/amd64 10.0.20348 in "
                            "the manifest list entries")


@pytest.mark.parametrize(("lines", "printed", "status"), [
    (["docker run -d --name web nginx:1.27", "docker run -d --name web nginx:1.27"],
     ['docker: Error response from daemon: Conflict. The container name "/web" is already in use by container "{web}". '
      'You have to remove (or rename) that container to be able to reuse that name.', "See 'docker run --help'."], 125),
    (["docker run nosuchimage"], ["Unable to find image 'nosuchimage:latest' locally",
                                  "docker: Error response from daemon: pull access denied for nosuchimage, repository "
                                  "does not exist or may require 'docker login': denied: requested access to the "
                                  "resource is denied", "See 'docker run --help'."], 125),
    (["docker run nginx:9"], ["Unable to find image 'nginx:9' locally",
                              "docker: Error response from daemon: manifest for nginx:9 not found: manifest unknown: "
                              "manifest unknown", "See 'docker run --help'."], 125),
    (["docker exec ghost ls"], ["Error response from daemon: No such container: ghost"], 1),
    (["docker stop ghost"], ["Error response from daemon: No such container: ghost"], 1),
    (["docker run -d --name web nginx:1.27", "docker stop web", "docker exec web ls"],
     ["Error response from daemon: container {web} is not running"], 1),
    (["docker run -d --name web nginx:1.27", "docker rm web"],
     ['Error response from daemon: cannot remove container "/web": container is running: stop the container before '
      'removing or force remove'], 1),
    (["docker run -d --name web nginx:1.27", "docker rmi nginx:1.27"],
     ['Error response from daemon: conflict: unable to remove repository reference "nginx:1.27" (must force) - '
      'container {web12} is using its referenced image {image12}'], 1),
    (["docker run --frob x"], ["unknown flag: --frob", "See 'docker run --help'."], 125),
    (["docker frob"], ["docker: 'frob' is not a docker command.", "See 'docker --help'"], 1),
])
def test_refusals_in_docker_s_words(lines, printed, status):
    trace = []
    net = run(lines, trace=trace)
    rt = net.nodes["hv"].containers
    web = rt.find_docker("web")
    image = rt.local_image("docker", "nginx:1.27")
    fill = {"web": web.cid if web else "", "web12": web.short_id if web else "",
            "image12": image.short_id if image else ""}
    assert out(net, at=len(lines)) == [p.format(**fill) for p in printed]
    assert [e["exit"] for e in trace if e["kind"] == "command.exit"][-1] == status


def test_port_already_allocated_leaves_the_second_container_created():
    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", "docker run -d --name web2 -p 8080:80 nginx:1.27",
               "docker ps -a"])
    web2 = net.nodes["hv"].containers.find_docker("web2")
    assert out(net, at=2) == [
        f"docker: Error response from daemon: driver failed programming external connectivity on endpoint web2 "
        f"({web2.cid}): Bind for 0.0.0.0:8080 failed: port is already allocated.", "See 'docker run --help'."]
    assert out(net, at=3)[1].split()[-2:] == ["Created", "web2"]


def test_a_shell_without_a_terminal_exits_at_once_and_with_one_it_reads_the_console():
    net = run(["docker run -d ubuntu:24.04", "docker run -it --name box ubuntu:24.04 bash", "hostname", "ps aux",
               "exit", "docker ps -a"])
    box = net.nodes["hv"].containers.find_docker("box")
    assert out(net, at=3) == [box.short_id]
    assert [line.split(None, 10)[10] for line in out(net, at=4)[1:]] == ["bash", "ps aux"]
    assert out(net, at=5) == ["exit"]
    rows = out(net, at=6)
    assert "Exited (0) 1 second ago" in rows[1] and rows[1].endswith(" box")
    assert "Exited (0) 5 seconds ago" in rows[2]


def test_commit_keeps_the_files_and_every_container_from_the_image_has_them():
    trace = []
    net = run(["docker run -d --name s1 alpine:3.20 sleep 3600", "docker exec s1 sh -c 'echo custom > /etc/motd'",
               "docker commit s1 myalpine:v1", "docker images", "docker run --rm myalpine:v1 cat /etc/motd",
               "docker ps -a"], trace=trace)
    sha = out(net, at=3)[0]
    assert sha.startswith("sha256:") and len(sha) == 71
    assert out(net, at=4) == ["REPOSITORY   TAG       IMAGE ID       CREATED        SIZE",
                              f"myalpine     v1        {sha[7:19]}   1 second ago   7.8MB",
                              "alpine       3.20      " + out(net, at=4)[2][23:35] + "   4 weeks ago    7.8MB"]
    assert out(net, at=5) == ["custom"]
    assert [r.split()[-1] for r in out(net, at=6)[1:]] == ["s1"]  # --rm removed the other
    assert [e["how"] for e in events(trace, "container.image")][-1] == "committed from s1's files"


def test_sleep_as_the_main_process_ends_the_container_when_it_ends():
    net = run(["docker run -d --name nap alpine:3.20 sleep 2", (4.0, "hv", "docker ps -a")])
    assert "Exited (0) 1 second ago" in out(net, at=4)[1]


def test_stop_and_start_keep_the_files_and_the_address():
    net = run(["docker run -d --name s alpine:3.20 sleep 3600", "docker exec s touch /kept", "docker stop s",
               "docker start s", "docker exec s ls /kept", "docker stats --no-stream"])
    assert out(net, at=3) == ["s"] and out(net, at=4) == ["s"] and out(net, at=5) == ["/kept"]
    assert net.nodes["hv-s"].stack.primary_ip("eth0") == "172.17.0.2"
    stats = out(net, at=6)
    assert stats[0] == "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT    MEM %     NET I/O   BLOCK I/O   PIDS"
    assert stats[1].split()[1:4] == ["s", "0.00%", "1.00MiB"]


def test_search_lists_docker_hub_s_images():
    net = run(["docker search nginx", "docker search windows"])
    assert out(net, at=1) == ["NAME      DESCRIPTION                STARS     OFFICIAL",
                              "nginx     Official build of Nginx.   20503     [OK]"]
    assert out(net, at=2) == ["NAME      DESCRIPTION   STARS     OFFICIAL"]  # Microsoft's registry, not the Hub


def test_host_ps_shows_the_container_s_process_among_its_own():
    net = run(["docker run -d --name web -p 8080:80 nginx:1.27", "ps aux"])
    rows = out(net, at=2)
    assert any(r.endswith("/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock") for r in rows)
    assert any(r.endswith("nginx: master process nginx -g daemon off;") and r.startswith("root ") for r in rows)
    assert any("docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80"
               in r for r in rows)
