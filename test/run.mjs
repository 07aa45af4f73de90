#!/usr/bin/env node
// The one test command (npm test): typecheck, lint, then every test suite with node's runner.
// Prints each suite's output and ends with one line: "N passed, N failed, N skipped".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const tmp = join(root, "test", ".tmp");
mkdirSync(tmp, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit` runs only that suite

let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(" ")}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status === 0;
}

function check(name, cmd, args) {
  if (only.length > 0 && !only.includes(name)) return;
  if (step(name, cmd, args)) passed++;
  else {
    failed++;
    process.stdout.write(`--- ${name} FAILED\n`);
  }
}

/** Test files under a folder (Node 20's runner does not expand globs). */
function testsIn(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .filter((f) => f.endsWith(".test.ts") || f.endsWith(".test.mjs"))
    .sort()
    .map((f) => join(dir, f));
}

function suite(name, dir, extra = []) {
  if (only.length > 0 && !only.includes(name)) return;
  const files = testsIn(dir);
  if (files.length === 0) return;
  // One TAP file per run, so two runs at once (CI and a developer) never read each other's counts.
  const tap = join(tmp, `${name}-${process.pid}.tap`);
  rmSync(tap, { force: true });
  const ok = step(name, process.execPath, [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...extra,
    ...files,
  ]);
  let text = "";
  try {
    text = readFileSync(tap, "utf8");
  } catch {}
  rmSync(tap, { force: true });
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  const p = count("pass");
  const f = count("fail") + count("cancelled");
  passed += p;
  failed += f;
  skipped += count("skipped") + count("todo");
  if (!ok && f === 0) {
    failed++;
    process.stdout.write(`--- ${name}: the runner failed without a failing test\n`);
  }
}

check("typecheck", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
check("lint", "npx", ["biome", "check", "."]);
suite("unit", "test/unit");
suite("integration", "test/integration");

process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);
