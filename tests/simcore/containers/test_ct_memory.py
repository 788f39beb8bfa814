"""What a running container keeps, kept small without changing what it does: containers in step
share the tables and tuples that hold the same values (a subnet's broadcast table, their DHCP
clients' timer tokens and timer arguments), and a change made to one is its own."""

from ct_designs import run

from simcore.apps.dhcp.actions import CancelTimer, SetTimer
from simcore.network import Network

S = 1_000_000_000


def three_containers(until: float = 10.0) -> Network:
    return run([(1.0 + i / 1000, "hv", f"lxc launch images:ubuntu/24.04 c{i}") for i in range(3)], until=until)


def test_stacks_on_one_subnet_share_one_broadcast_table_and_a_change_is_their_own():
    net = three_containers()
    a, b, c = (net.nodes[f"hv-c{i}"].stack for i in range(3))
    assert a.broadcasts is b.broadcasts is c.broadcasts
    bcast = next(iter(a.broadcasts))
    assert bcast.endswith(".255") and a.broadcasts == {bcast: "eth0"}
    a.set_address("eth0", None)
    assert a.broadcasts == {} and b.broadcasts == c.broadcasts == {bcast: "eth0"}
    assert b.broadcasts is c.broadcasts
    # A stack without an address never had a table of its own.
    assert net.nodes["pc"].stack.broadcasts == {"192.168.1.255": "eth0"}


def test_dhcp_clients_in_step_share_their_token_rows_and_timer_arguments():
    net = three_containers()
    glues = [net.nodes[f"hv-c{i}"].dhcp_clients["eth0"] for i in range(3)]
    assert glues[0].tokens is glues[1].tokens is glues[2].tokens
    # networkd's four timers: resend (cancelled at the ACK), T1, T2 and the lease's end.
    assert glues[0].machine.timers == ("resend", "t1", "t2", "expire")
    assert glues[0].tokens[0] == 0 and all(glues[0].tokens[1:])
    args = {}
    for _t, _p, _s, fn, a in net.engine._heap:
        if fn in glues:
            args.setdefault(a, []).append(a)
    assert sorted(k[0] for k in args) == ["expire", "t1", "t2"]
    assert all(len(same) == 3 and all(x is same[0] for x in same) for same in args.values())


def test_a_replaced_or_cancelled_client_timer_is_ignored_when_it_fires():
    net = three_containers()
    glue = net.nodes["hv-c0"].dhcp_clients["eth0"]
    fired = []

    class Recorder:  # the client machine's place: what fires, with networkd's timer ids
        timers = glue.machine.timers

        def on_timer(self, now, timer_id):
            fired.append((now, timer_id))
            return []

    glue.machine = Recorder()
    now = net.engine.now
    glue.apply([SetTimer("t1", now + 1 * S), SetTimer("t2", now + 2 * S), SetTimer("t1", now + 3 * S),
                SetTimer("resend", now + 4 * S), CancelTimer("resend")])
    net.run_until(20.0)
    assert fired == [(now + 2 * S, "t2"), (now + 3 * S, "t1")]
    assert glue.tokens[0] == glue.tokens[1] == glue.tokens[2] == 0  # resend, t1, t2: fired or cancelled
    glue.detach()
    assert glue.tokens == (0, 0, 0, 0)


def test_a_container_s_lease_is_renewed_at_t1_with_its_tokens_shared():
    net = three_containers(until=1900.0)
    for i in range(3):
        client = net.nodes[f"hv-c{i}"].dhcp_clients["eth0"].machine
        assert client.state.value == "bound" and client.lease.bound_at_ns > 1800 * S


def test_a_node_s_one_dhcp_client_is_kept_as_a_one_entry_mapping_and_a_second_nic_makes_a_dict():
    from simcore.apps.dhcp.glue import OneClient, client_on

    net = three_containers()
    node = net.nodes["hv-c0"]
    clients = node.dhcp_clients
    glue = clients["eth0"]
    assert isinstance(clients, OneClient) and clients == {"eth0": glue} and len(clients) == 1
    assert clients.get("eth1") is None and "eth1" not in clients and list(clients.values()) == [glue]
    assert client_on(node, "eth0", "systemd-networkd") is glue and node.dhcp_clients is clients
    # dhclient on the same NIC stops networkd's client and takes its place.
    other = client_on(node, "eth0", "isc-dhclient")
    assert other is not glue and node.dhcp_clients == {"eth0": other}
    assert isinstance(node.dhcp_clients, OneClient)
    node.add_nic("eth1", "00:16:3e:00:00:99")
    second = client_on(node, "eth1", "isc-dhclient")
    assert node.dhcp_clients == {"eth0": other, "eth1": second} and type(node.dhcp_clients) is dict
    third = client_on(node, "eth0", "systemd-networkd")
    assert list(node.dhcp_clients.items()) == [("eth0", third), ("eth1", second)]


def test_stacks_whose_only_hook_is_dhcp_share_one_hook_tuple_and_one_added_hook_is_their_own():
    net = three_containers()
    a, b = (net.nodes[f"hv-c{i}"].stack for i in range(2))
    assert a._own_prerouting is b._own_prerouting and len(a._own_prerouting) == 1
    client_hook = a._own_prerouting[0]

    def mine(stack, packet, nic):
        return packet

    a.prerouting.append(mine)
    assert a._own_prerouting == [client_hook, mine] and b._own_prerouting == (client_hook,)
    # The container still renews its lease through its hook.
    net.run_until(1900.0)
    assert net.nodes["hv-c0"].dhcp_clients["eth0"].machine.lease.bound_at_ns > 1800 * S


def test_a_leased_address_is_one_string_for_the_lease_and_the_nic_and_routes_stay_in_order():
    net = three_containers()
    node = net.nodes["hv-c1"]
    lease = node.dhcp_clients["eth0"].machine.lease
    iface = node.stack.ifaces["eth0"]
    assert iface.ip == lease.address and iface.ip is lease.address
    assert node.stack.routes.lookup("8.8.8.8").via == lease.router
    assert node.stack.routes.lookup(lease.router).via is None
    node.stack.add_route("192.168.7.0/24", lease.router)
    assert node.stack.routes.lookup("192.168.7.9").dest.prefixlen == 24
    node.stack.set_address("eth0", None)
    assert [r.dev for r in node.stack.routes.routes()] == ["eth0", "eth0"]  # the default and the static
    assert node.stack.routes.lookup(lease.router).via == lease.router


def test_a_container_record_keeps_no_dict_and_reads_its_rare_attributes_as_set():
    import copy

    from simcore.virt.containers import Container

    net = three_containers()
    c = net.nodes["hv-c0"].container
    assert not hasattr(c, "__dict__") and c._more == ()
    assert (c.restart, c.autostart, c.exit_code, c.logs, c.drawn) == ("no", None, 0, "", None)
    assert Container.restart == "no" and Container.last_state == "STOPPED"
    c.autostart = True
    c.sleeping += 1
    c.logs = "hello\n"
    c.sleeping += 1
    assert c._more == ("autostart", True, "sleeping", 2, "logs", "hello\n")
    assert (c.autostart, c.sleeping, c.logs, c.exit_code) == (True, 2, "hello\n", 0)
    twin = copy.deepcopy(c)
    assert (twin.autostart, twin.sleeping, twin.logs) == (True, 2, "hello\n") and twin is not c
    other = net.nodes["hv-c1"].container
    assert (other.autostart, other.sleeping, other.logs) == (None, 0, "")


def test_an_lxd_root_volume_names_its_dataset_from_the_container_s_name_string():
    import pytest

    net = three_containers()
    c = net.nodes["hv-c2"].container
    vol = c.guest.root_volume
    assert vol.device == "default/containers/c2" and vol.name is c.name
    assert vol.copy().device == "default/containers/c2"  # a plain volume keeps the whole string
    vol.device = "default/containers/renamed"
    assert vol.device == "default/containers/renamed"
    with pytest.raises(ValueError):
        vol.device = "/dev/sdb1"


def test_networkd_s_lease_keeps_the_instants_it_renews_and_rebinds_at():
    trace = []
    net = run([(1.0, "hv", "lxc launch images:ubuntu/24.04 c0")], until=10.0, trace=trace)
    glue = net.nodes["hv-c0"].dhcp_clients["eth0"]
    lease = glue.machine.lease
    timers = {a[0]: t for t, _p, _s, fn, a in net.engine._heap if fn is glue}
    assert timers == {"t1": lease.t1_at_ns, "t2": lease.t2_at_ns, "expire": lease.expires_at_ns}
    # T1 and T2 are the server's 1800 s and 3150 s, each moved by less than a second.
    assert abs(lease.t1_at_ns - (lease.bound_at_ns + 1800 * S)) < S
    assert abs(lease.t2_at_ns - (lease.bound_at_ns + 3150 * S)) < S
    net.run_until(1900.0)
    renew = [e for e in trace if e["kind"] == "dhcp.renew" and e["node"] == "hv-c0"]
    assert [e["t"] for e in renew] == [lease.t1_at_ns]


def test_consoles_keep_their_attributes_in_slots_and_run_as_before():
    net = run(["lxc launch images:ubuntu/24.04 c1", "lxc exec c1 -- hostname", "lxc exec c1 -- sh -c 'echo hi > /f'",
               "lxc exec c1 -- cat /f"], until=6.0)
    for node_id in ("hv", "hv-c1"):
        console = net.nodes[node_id].console
        assert not hasattr(console, "__dict__")
        assert console.inside is None and console.capture is None
    assert net.nodes["hv-c1"].console._lines == () and net.nodes["hv-c1"].console._jobs == ()
    printed = [text for _t, node, text in net.console_lines() if node == "hv"]
    assert printed == ["Creating c1", "Starting c1", "c1", "hi"]
