import assert from "node:assert/strict";
import test from "node:test";

import { termSafe, visible } from "./termtext.js";

test("plain text, newlines, tabs and non-ASCII pass unchanged", () => {
  assert.equal(termSafe("hello world"), "hello world");
  assert.equal(termSafe("a\tb\nc"), "a\tb\nc");
  assert.equal(termSafe("réseau 名前 🙂"), "réseau 名前 🙂");
  assert.equal(termSafe(undefined), "");
});

test("colour SGRs pass; everything else after ESC is shown as text", () => {
  assert.equal(termSafe("\x1b[31mred\x1b[0m"), "\x1b[31mred\x1b[0m");
  assert.equal(termSafe("\x1b[1;32;44mok\x1b[m"), "\x1b[1;32;44mok\x1b[m");
  assert.equal(termSafe("\x1b[38;5;208mo\x1b[48;2;1;2;3mx"), "\x1b[38;5;208mo\x1b[48;2;1;2;3mx");
  // Clear screen, cursor home, window title, hidden text, blink, set charset, DCS: all visible.
  assert.equal(termSafe("\x1b[2J\x1b[H"), "^[[2J^[[H");
  assert.equal(termSafe("\x1b]0;pwned\x07"), "^[]0;pwned^G");
  assert.equal(termSafe("\x1b[8msecret"), "^[[8msecret");
  assert.equal(termSafe("\x1b[5mblink"), "^[[5mblink");
  assert.equal(termSafe("\x1b(0"), "^[(0");
  assert.equal(termSafe("\x1bP1$r\x1b\\"), "^[P1$r^[\\");
  assert.equal(termSafe("\x1b[38;5;999m"), "^[[38;5;999m");
});

test("other controls are caret notation, C1 by code point; colours can be switched off", () => {
  assert.equal(termSafe("over\rwrite"), "over^Mwrite");
  assert.equal(termSafe("bs\b\x7f"), "bs^H^?");
  assert.equal(termSafe("\x00"), "^@");
  assert.equal(termSafe("\x9b2J"), "<U+009B>2J");
  assert.equal(termSafe("\x85"), "<U+0085>");
  assert.equal(termSafe("\x1b[31mred", { colours: false }), "^[[31mred");
  assert.equal(visible("\x1b"), "^[");
});

test("no output of termSafe holds a control other than newline, tab or a colour SGR", () => {
  let all = "";
  for (let c = 0; c < 0xa0; c += 1) all += String.fromCharCode(c) + "[2J" + String.fromCharCode(c) + "[31m";
  const out = termSafe(all).replace(/\x1b\[31m/g, "");
  assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
});
