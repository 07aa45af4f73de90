import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SqliteStore } from "./store/sqlite.js";

/**
 * The data folder's database for a CLI command that only reads it (`keys list`, `logs tail`,
 * `spend`, ...): a mistyped --data-dir is one line naming the folder, never a new empty database
 * (which would answer "nothing there" and leave a stray folder behind). Commands that write (`keys
 * create`, `config import`, `serve`) open it with SqliteStore.open, which creates it.
 */
export class NoDatabaseError extends Error {}

/** Whether `dir` is a file, or lies under one. */
function isFile(dir: string): boolean {
  try {
    return !statSync(dir).isDirectory();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOTDIR";
  }
}

export function openExistingStore(dataDir: string): SqliteStore {
  // A file where the folder should be: SqliteStore.open says so (and creates nothing).
  if (isFile(dataDir)) return SqliteStore.open(dataDir);
  if (!existsSync(join(dataDir, "gatehouse.db")))
    throw new NoDatabaseError(
      `no Gatehouse database in ${resolve(dataDir)} (gatehouse serve creates it): check --data-dir or GATEHOUSE_DATA_DIR`,
    );
  return SqliteStore.open(dataDir);
}
