import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

/**
 * Which import wrote the config file (`gatehouse config import`, POST /api/config/import), so a
 * running gateway's reload says where the change came from rather than "the config file". The
 * import records the file's path and the SHA-256 of what it wrote in the data folder
 * (`last-import.json`, 0600); a reload whose file still holds exactly those bytes came from it (a
 * later edit by hand changes them, and is told as the config file's).
 */

const FILE = "last-import.json";
const markSchema = z.object({ path: z.string(), sha256: z.string(), by: z.string() });

/** The SHA-256 of a file's text or bytes, in hex (what the mark and the file watcher compare). */
export const sha256 = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Records that `by` wrote `text` to `path`. A write that fails only loses the words. */
export function markImport(dataDir: string, path: string, text: string, by: string): void {
  try {
    writeFileSync(
      join(dataDir, FILE),
      `${JSON.stringify({ path: resolve(path), sha256: sha256(text), by })}\n`,
      { mode: 0o600 },
    );
  } catch {
    // a read-only data folder: the reload says "the config file", as before
  }
}

/** The import that wrote `path` as it is now ("gatehouse config import"), or undefined. */
export function importOrigin(dataDir: string, path: string): string | undefined {
  try {
    const mark = markSchema.safeParse(JSON.parse(readFileSync(join(dataDir, FILE), "utf8")));
    if (!mark.success || mark.data.path !== resolve(path)) return undefined;
    return sha256(readFileSync(path)) === mark.data.sha256 ? mark.data.by : undefined;
  } catch {
    return undefined;
  }
}

/** How a reload's lines name where a change came from: the config file, or the import that wrote it. */
export function changeSource(by: string | undefined): string {
  return by === undefined ? "the config file" : `the config imported by ${by}`;
}
