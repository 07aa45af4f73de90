// fast-check arbitraries for the JSON scanners' property tests (http/body.ts, store/json-skim.ts):
// strings full of what could fool a scanner, and JSON values built from them.
import fc from "fast-check";

const SCANNER_TRAPS = ['"', "\\", "[", "]", "{", "}", ",", ":", "a", "é", "😀", "\n"];

/** Strings of quotes, backslashes, brackets, separators and non-ASCII, plus `extra` pieces. */
export function trickyString(extra: readonly string[], maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...SCANNER_TRAPS, ...extra), maxLength });
}

/** JSON values (numbers from `number`) whose strings and keys are `tricky`. */
export function trickyJson(
  tricky: fc.Arbitrary<string>,
  number: fc.Arbitrary<number>,
): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      tricky,
      number,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("v"), { maxLength: 4 }),
      fc.dictionary(tricky, tie("v"), { maxKeys: 4 }),
    ),
  })).v;
}
