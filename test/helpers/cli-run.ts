import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { main } from "../../gateway/src/cli.js";

/**
 * Takes the string writes to stdout and stderr until `restore()`: `out`, `err`, and `all` (both, as
 * written). Only string writes are taken: the test runner reports through the same stdout (in
 * Buffers) and must keep doing so meanwhile.
 */
function captureStrings(): { text: { out: string; err: string; all: string }; restore(): void } {
  const text = { out: "", err: "", all: "" };
  const restore: Array<() => void> = [];
  for (const [name, stream] of [
    ["out", process.stdout],
    ["err", process.stderr],
  ] as const) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "string")
        return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      text[name] += chunk;
      text.all += chunk;
      return true;
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
  return {
    text,
    restore: () => {
      for (const r of restore) r();
    },
  };
}

/** Runs the CLI's main() in process, capturing the text it writes. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = { HOME: tmpdir() },
): Promise<{ code: number; out: string; err: string }> {
  const capture = captureStrings();
  try {
    const code = await main(argv, env);
    return { code, out: capture.text.out, err: capture.text.err };
  } finally {
    capture.restore();
  }
}

/** Starts the CLI's main() in process; `output()` (stdout and stderr as written) is readable while it runs. */
export function startCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { done: Promise<number>; output(): string } {
  const capture = captureStrings();
  const done = main(argv, env).finally(() => capture.restore());
  return { done, output: () => capture.text.all };
}

/** Polls `check` until it is true; fails after `ms` (a hang guard, not a timing assertion). */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
