"""simcore.virt — virtual machines that live: power states, the guest's clock, booting.

Contract of this layer (it sits on ``devices`` and may read ``design``; ``assembly`` builds on it):

- ``power.py``: VirtualBox's power states and VBoxManage's transitions as one table
  (``TRANSITIONS``), with the exact sentence each illegal (state, action) is refused with.
- ``clock.py``: ``GuestClock``, one VM's time, with the engine's interface; frozen while the VM
  is paused, saved or off, so the guest's timers wait.
- ``boot.py``: what the console shows while a guest boots and shuts down, and when (pure data).
- ``machine.py``: ``Machine``, the controller of one VM: carries the table's transitions out on
  the VM's node (clock, carrier, boot, RAM), traces them, and answers ``state`` to anyone asking.
"""
