import { m001 } from "./001-keys.js";
import type { Migration } from "./types.js";

/** Every migration, one file each (NNN-name.ts), listed here in version order. */
export const migrations: readonly Migration[] = [m001];
