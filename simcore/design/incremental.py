"""Checking a changed design by what the change touched: co-editing validates every change, and
validating a 4,000-node design whole takes about 55 ms (a jsonschema pass over a cache key of
every item, every reference check over every object).

``change_is_clean(old, new)`` answers "has ``new`` no problem at all?" for a ``new`` made from a
problem-free ``old`` by a change that left what it did not touch as the same objects (``is``;
``designer.coeditops.merge_apply`` shares them). It may answer False for a clean document (the
caller then validates whole, ``validate.validate_change``), never True for one with a problem:
a test compares it with ``validate`` on random changes.

Why looking at less is enough:
- the schema checks a list item alone (``schema_dispatch``), so an item that was clean and is
  the same object is clean; the top level (without items) is checked again, it is small;
- a reference problem sits on an object and depends on that object and the nodes it names. An
  untouched object can only gain one through a node it names that was touched or removed, so
  the checks run on touched objects and on untouched ones that name a touched or removed node.
  Two checks compare an object with every other of its list (a duplicate link id, one NIC on two
  links): a new clash needs a touched link on one side, so only those are looked up. Captures and
  script steps are few and always checked.
"""

from __future__ import annotations

from simcore.design.references import Index, problems_of
from simcore.design.schema_dispatch import ITEM_LISTS, item_is_clean, top_is_clean


def change_is_clean(old: object, new: object) -> bool:
    """True: ``new`` has no schema or reference problem, given that ``old`` has none."""
    if not isinstance(old, dict) or not isinstance(new, dict) or not top_is_clean(new):
        return False
    touched: dict[str, list] = {}
    for name in ITEM_LISTS:
        before, after = old.get(name, []), new.get(name, [])
        if not isinstance(before, list) or not isinstance(after, list):
            return False
        kept = {id(item) for item in before}
        touched[name] = [item for item in after if id(item) not in kept]
        if not all(item_is_clean(name, item) for item in touched[name]):
            return False
    # From here `new` passed the schema: every node and link has the shape the checks expect.
    index = Index(new)
    removed = {node["id"] for node in old.get("nodes", [])} - index.nodes.keys()
    changed = {node["id"] for node in touched["nodes"]} | removed
    index.checked = {node_id: index.nodes[node_id] for node_id, (_i, node) in index.nodes.items()
                     if node_id in changed or _names_any(node, changed)}
    new_links = {id(link) for link in touched["links"]}
    index.links = [(i, link) for i, link in index.links
                   if id(link) in new_links or link["a"]["node"] in changed or link["b"]["node"] in changed]
    if next(problems_of(new, index), None) is not None:
        return False
    return not _clashes(new.get("links", []), touched["links"])


def _names_any(node: dict, ids: set[str]) -> bool:
    """Does ``node`` name one of ``ids`` (its host, or a distributed switch's member host)?"""
    return node.get("host") in ids or any(member.get("host") in ids for member in node.get("members", ()))


def _clashes(links: list, touched: list) -> bool:
    """Does a touched link share its id, or a NIC it plugs, with another link (touched or not)?
    Without a clash each of those ids and NIC ends is found exactly once among all the links."""
    if not touched:
        return False
    ids = {link["id"] for link in touched}
    ends = {(end["node"], end["nic"]) for link in touched for end in (link["a"], link["b"]) if "nic" in end}
    id_count = end_count = 0
    for link in links:
        id_count += link["id"] in ids
        for end in (link["a"], link["b"]):
            end_count += "nic" in end and (end["node"], end["nic"]) in ends
    return id_count != len(ids) or end_count != len(ends)
