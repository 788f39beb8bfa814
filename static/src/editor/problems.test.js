import assert from "node:assert/strict";
import test from "node:test";

import { moreLine } from "./problems.js";

test("a list the server cut short ends with how many more there were", () => {
  assert.equal(moreLine({ problems: [], more_problems: 499950 }), "… and 499,950 more problems");
  assert.equal(moreLine({ more_problems: 1 }), "… and 1 more problem");
  assert.equal(moreLine({ more_problems: 3, more_checks: 2 }), "… and 5 more problems");
});

test("a complete list has no such line", () => {
  assert.equal(moreLine({ problems: [], more_problems: 0, more_checks: 0 }), "");
  assert.equal(moreLine({ problems: [] }), "");
  assert.equal(moreLine(undefined), "");
});
