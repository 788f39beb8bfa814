"""Virtual machines as data and state machines: the guest filesystem, OS images, hardware settings.

Pure of the run: modules here are tested as tables and conversations; the assembly attaches them
to nodes and the network's door drives them (see docs/virt.md).
"""
