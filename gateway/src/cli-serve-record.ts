import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/**
 * Where `gatehouse serve` listens, written into its data folder while it runs (`serving.json`,
 * 0600): `gatehouse configure claude-code` reads it to point Claude Code at the gateway that serves
 * that data folder, wherever its address came from (--port, --host, a --config file elsewhere, or
 * port 0). A record a gateway left behind when it was killed is told by asking the address whether
 * it takes the data folder's admin token (configure does); `serve` removes it when it stops.
 */

const FILE = "serving.json";

const recordSchema = z.object({ url: z.url(), pid: z.number().int() });
export type ServeRecord = z.infer<typeof recordSchema>;

/** Records that this process serves `dataDir` at `url`. A write that fails is not serve's failure. */
export function writeServeRecord(dataDir: string, url: string): void {
  try {
    writeFileSync(join(dataDir, FILE), `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 });
  } catch {
    // A read-only data folder: configure then finds the gateway by its flags, as before.
  }
}

/** Removes the record when it is this process's (another serve may have written it since). */
export function removeServeRecord(dataDir: string): void {
  if (readServeRecord(dataDir)?.pid !== process.pid) return;
  rmSync(join(dataDir, FILE), { force: true });
}

/** The record in `dataDir`, if there is one that reads; it may be stale (see above). */
export function readServeRecord(dataDir: string): ServeRecord | undefined {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(join(dataDir, FILE), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
