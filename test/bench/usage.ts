// --help for the benchmark scripts: a script's leading comment, which documents its options.
import { readFileSync } from "node:fs";

export function usageOf(script: URL): string {
  const lines = readFileSync(script, "utf8").split("\n");
  const head = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith("//")),
  );
  return head.map((l) => l.replace(/^\/\/ ?/, "")).join("\n");
}
