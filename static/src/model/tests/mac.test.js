import { test } from "node:test";
import assert from "node:assert/strict";
import { deriveMac, effectiveMac, freshMac, sha256, usedMacs } from "../mac.js";
import { example } from "./helpers.js";

// Golden values printed by simcore.design.derive.derive_mac (the Python twin), once.
const derived = [
  ["vm1", "eth0", "vm", "08:00:27:58:a7:e9"],
  ["hv", "eth0", "host", "02:a0:fb:b8:30:1a"],
  ["nöde", "eth1", "container", "02:df:b0:8e:7e:6d"],
];
for (const [node, nic, kind, mac] of derived) {
  test(`deriveMac(${node}, ${nic}, ${kind}) is simcore's ${mac}`, () => {
    assert.equal(deriveMac(node, nic, kind), mac);
  });
}

// FIPS 180-4 examples, and lengths around the 55/56/64-byte padding edges.
const digests = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
];
for (const [text, hex] of digests) {
  test(`sha256 of ${JSON.stringify(text).slice(0, 20)}`, () => {
    assert.equal(Buffer.from(sha256(text)).toString("hex"), hex);
  });
}

test("sha256 agrees with node:crypto across the padding edges", async () => {
  const { createHash } = await import("node:crypto");
  for (const length of [54, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) {
    const text = "é".repeat(length);
    assert.equal(Buffer.from(sha256(text)).toString("hex"), createHash("sha256").update(text).digest("hex"), `length ${length}`);
  }
});

test("used MACs count given ones lower-cased and derived ones", () => {
  const doc = { version: 1, nodes: [{ id: "a", kind: "vm", nics: [{ name: "eth0", mac: "08:00:27:AA:BB:CC" }, { name: "eth1" }] }] };
  assert.deepEqual([...usedMacs(doc)], ["08:00:27:aa:bb:cc", deriveMac("a", "eth1", "vm")]);
  assert.equal(effectiveMac(doc.nodes[0], doc.nodes[0].nics[1]), deriveMac("a", "eth1", "vm"));
});

test("freshMac steps past a taken address, deterministically", () => {
  const used = usedMacs(example("internal-switch"));
  const first = deriveMac("vm9", "eth0", "vm");
  used.add(first);
  const next = freshMac(used, "vm", "vm9", "eth0");
  assert.notEqual(next, first);
  assert.match(next, /^08:00:27(:[0-9a-f]{2}){3}$/);
  assert.equal(freshMac(new Set([first]), "vm", "vm9", "eth0"), next);
  assert.match(freshMac(new Set(), "container", "ct1", "eth0"), /^02(:[0-9a-f]{2}){5}$/);
});
