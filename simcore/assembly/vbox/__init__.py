"""VirtualBox's NIC attachment modes (``nics[].mode``), one module each.

VirtualBox manual ch. 6 ("Virtual Networking"): a VM NIC's *attachment mode* decides what the
hypervisor plugs the NIC into; no cable is drawn. Every network is per hypervisor (VirtualBox's
networks live on one host) and named by ``nics[].network`` (defaults ``intnet``, ``vboxnet0``,
``NatNetwork``): NICs on different names are isolated.

* ``internal``: the NICs of one internal network join one hidden switch (``internal.py``);
* ``hostonly``: a hidden switch per host-only adapter, the host's ``vboxnetN`` interface and
  VirtualBox's DHCP server (``hostonly.py``);
* ``bridged``: a hidden switch bridged to the host's NIC (``bridged.py``);
* ``nat``: a private NAT engine per VM NIC (``nat.py``);
* ``natnetwork``: a shared NAT service and DHCP server per named network (``natnetwork.py``).

``attach.attach_modes`` attaches every mode NIC of a document; ``common.py`` holds what the modes
share (the host's uplink, hidden switches, DHCP servers, NAT routers, port forwards);
``state.py`` what they have set up so far, kept in the build context. This package imports
nothing at its top, so that ``context.py`` can import ``state.py`` without a cycle.
"""
