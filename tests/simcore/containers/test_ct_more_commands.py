"""The rest of lxc's and docker's commands as conversations: restart, publish --force, delete
--force, remote list; create, port, restart, logs, pull (fresh and up to date), rm, rmi."""

from ct_designs import S, events, out, run


def test_lxc_restart_publish_force_delete_force_and_remotes():
    trace = []
    net = run(["lxc launch images:alpine/3.20 a1", "lxc restart a1", "lxc publish a1 --alias snap --force",
               "lxc delete a1 --force", "lxc remote list", "lxc list"], trace=trace)
    assert out(net, at=2) == []
    states = [(e["t"] // S, e["state"], e["why"]) for e in events(trace, "container.state")]
    assert states == [(1, "RUNNING", "lxc launch on hv"), (2, "STOPPED", "lxc restart on hv"),
                      (2, "RUNNING", "lxc restart on hv"), (3, "STOPPED", "lxc publish --force on hv"),
                      (3, "RUNNING", "lxc publish --force on hv"), (4, "STOPPED", "deleted")]
    assert out(net, at=3)[0].startswith("Instance published with fingerprint: ")
    assert [e["how"] for e in events(trace, "container.image")][-1] == "published from a1's files (alias snap)"
    assert [e["container"] for e in events(trace, "container.deleted")] == ["a1"]
    remotes = out(net, at=5)
    assert remotes[1] == ("|      NAME       |                   URL                    |   PROTOCOL    |  AUTH TYPE  | "
                          "PUBLIC | STATIC | GLOBAL |")
    assert [r.split("|")[1].strip() for r in remotes[3::2]] == ["images", "local (current)", "ubuntu"]
    assert out(net, at=6)[3:] == []  # the table's header only: a1 is gone


def test_docker_create_port_restart_logs_pull_rm_rmi():
    trace = []
    net = run(["docker create --name w -p 8080:80 nginx:1.27", "docker start w", "docker port w", "docker restart w",
               "docker logs w", "docker pull alpine:3.20", "docker pull alpine:3.20", "docker stop w", "docker rm w",
               "docker rmi nginx:1.27", "docker images"], trace=trace)
    created = out(net, at=1)
    assert len(created[-1]) == 64  # docker create prints the id and starts nothing
    assert out(net, at=2) == ["w"] and out(net, at=3) == ["80/tcp -> 0.0.0.0:8080"] and out(net, at=4) == ["w"]
    assert out(net, at=5)[-1] == "2026/01/01 00:00:00 [notice] 1#1: start worker processes"
    assert out(net, at=6) == ["3.20: Pulling from library/alpine", out(net, at=6)[1],
                              out(net, at=6)[2], "Status: Downloaded newer image for alpine:3.20",
                              "docker.io/library/alpine:3.20"]
    assert out(net, at=7)[-2:] == ["Status: Image is up to date for alpine:3.20", "docker.io/library/alpine:3.20"]
    assert out(net, at=9) == ["w"] and [e["container"] for e in events(trace, "container.deleted")] == ["w"]
    assert out(net, at=10)[0] == "Untagged: nginx:1.27" and out(net, at=10)[1].startswith("Deleted: sha256:")
    assert [r.split()[0] for r in out(net, at=11)] == ["REPOSITORY", "alpine"]
    forwards = net.tables()["nat"]["hv-docker0"]["port_forwards"]
    assert forwards == []  # stopped, then removed: its rule went with it
