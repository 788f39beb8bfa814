"""simcore.virt — virtual machines that live: power states, the guest's clock, booting.

Contract of this layer (it sits on ``devices`` and may read ``design``; ``assembly`` builds on it):

- ``power.py``: VirtualBox's power states and VBoxManage's transitions as one table
  (``TRANSITIONS``), with the exact sentence each illegal (state, action) is refused with.
- ``clock.py``: ``GuestClock``, one VM's time, with the engine's interface; frozen while the VM
  is paused, saved or off, so the guest's timers wait.
- ``boot.py``: what the console shows while a guest boots and shuts down, and when (pure data).
- ``machine.py``: ``Machine``, the controller of one VM: carries the table's transitions out on
  the VM's node (clock, carrier, boot, RAM), traces them, and answers ``state`` to anyone asking.
- ``fs.py``, ``namespace.py``, ``osimage.py``: the guest filesystem (persistent trees: a copy
  shares what did not change), a machine's mounted view of it, the OS images it starts from.
- ``hardware.py``, ``store.py``, ``blockdev.py``, ``guest.py``, ``install.py``: a VM's hardware
  settings with VirtualBox's refusals, a host's disk images, the block devices a guest sees,
  ``Guest`` (``node.guest``) tying them to a node for its console's file and system commands, and
  every machine of a design installed (``attach_guests``, called by the assembly).
"""
