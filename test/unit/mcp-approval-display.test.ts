import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { displayText } from "../../gateway/src/mcp/approval-display.js";

// What a person is shown of an untrusted text before approving a tool call (approval-display.ts).
describe("displayText: untrusted text made safe to show", () => {
  const cases: Array<[string, string, number, boolean, { text: string; cut: boolean; replaced: number }]> = [
    ["plain text stays", "write_file", 20, false, { text: "write_file", cut: false, replaced: 0 }],
    ["exactly at the limit is not cut", "abcde", 5, false, { text: "abcde", cut: false, replaced: 0 }],
    ["past the limit: cut, ending in …", "abcdef", 5, false, { text: "abcde…", cut: true, replaced: 0 }],
    [
      "a bidi override is shown as a marker",
      "a\u202eb",
      20,
      false,
      { text: "a⟨U+202E⟩b", cut: false, replaced: 1 },
    ],
    [
      "an ANSI escape is shown",
      "\u001b[31mred",
      30,
      false,
      { text: "⟨U+001B⟩[31mred", cut: false, replaced: 1 },
    ],
    [
      "a C1 control (8-bit CSI) is shown",
      "\u009b2J",
      30,
      false,
      { text: "⟨U+009B⟩2J", cut: false, replaced: 1 },
    ],
    [
      "zero-width space, joiner, BOM",
      "a\u200bb\u200dc\ufeff",
      60,
      false,
      { text: "a⟨U+200B⟩b⟨U+200D⟩c⟨U+FEFF⟩", cut: false, replaced: 3 },
    ],
    [
      "a tag character (astral) is shown whole",
      "x\u{e0041}",
      30,
      false,
      { text: "x⟨U+E0041⟩", cut: false, replaced: 1 },
    ],
    [
      "a variation selector and a Hangul filler",
      "a\ufe0f\u3164",
      30,
      false,
      { text: "a⟨U+FE0F⟩⟨U+3164⟩", cut: false, replaced: 2 },
    ],
    [
      "a line separator and a lone surrogate",
      "a\u2028b\ud800",
      30,
      false,
      { text: "a⟨U+2028⟩b⟨U+D800⟩", cut: false, replaced: 2 },
    ],
    ["a line break in a name is shown", "a\nb", 30, false, { text: "a⟨U+000A⟩b", cut: false, replaced: 1 }],
    [
      "a description keeps line breaks and tabs",
      "a\n\tb\nc",
      30,
      true,
      { text: "a\n\tb\nc", cut: false, replaced: 0 },
    ],
    [
      "blank lines past one in a row are dropped",
      "a\n\n\n\n\nb",
      30,
      true,
      { text: "a\n\nb", cut: false, replaced: 3 },
    ],
    [
      "combining marks past three on a letter are dropped",
      `e${"\u0301".repeat(10)}x`,
      30,
      false,
      { text: `e${"\u0301".repeat(3)}x`, cut: false, replaced: 7 },
    ],
    ["a marker is never cut in half", "ab\u202ecd", 6, false, { text: "ab…", cut: true, replaced: 0 }],
    [
      "an emoji (a surrogate pair) is never cut in half",
      "ab😀",
      3,
      false,
      { text: "ab…", cut: true, replaced: 0 },
    ],
  ];
  for (const [name, input, limit, multiline, want] of cases) {
    test(name, () => {
      const got = displayText(input, limit, multiline);
      assert.deepEqual(got, { ...want, length: input.length });
    });
  }

  test("megabytes cost what the shown part costs, and say how long the original was", () => {
    const huge = "z".repeat(8 * 1024 * 1024);
    const got = displayText(huge, 100, true);
    assert.equal(got.text, `${"z".repeat(100)}…`);
    assert.deepEqual([got.cut, got.length], [true, huge.length]);
  });
});
