// How the CLI and refusals print dollars: a cost too small for four places is not "$0.0000"
// (which reads as free), and nothing at all is an exact "$0".
import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../gateway/src/governance/refusals.js";

test("dollars: $0 for nothing, <$0.0001 for a sliver, four places under 10 cents, cents above", () => {
  for (const [x, text] of [
    [0, "$0"],
    [0.000001, "<$0.0001"],
    [0.0000499, "<$0.0001"],
    [0.00005, "$0.0001"],
    [0.0012, "$0.0012"],
    [0.0999, "$0.0999"],
    [0.1, "$0.10"],
    [20, "$20.00"],
    [1234.5, "$1234.50"],
  ] as const)
    assert.equal(usd(x), text, String(x));
});
