import { z } from "zod";

/**
 * Edits of a JSON document (another program's config file) that can be undone exactly: each edit
 * records the value it replaced or removed, and an undo puts that value back only where the
 * document still holds what the edit left (a value changed since is the user's, and stays).
 */

export type Json = Record<string, unknown>;

/** Sets `value` at `path` (property names from the root), or removes what is there when it has none. */
export interface Edit {
  path: string[];
  value?: unknown;
}

const changeSchema = z.strictObject({
  /** Property names from the document's root, e.g. ["env", "ANTHROPIC_BASE_URL"]. */
  path: z.array(z.string()).min(1),
  /** The value before the first edit; absent when there was none. */
  before: z.unknown().optional(),
  /** The value the last edit left; absent when it removed the value. */
  after: z.unknown().optional(),
});
export type RecordedChange = z.infer<typeof changeSchema>;

export const editRecordSchema = z.strictObject({
  /** The file did not exist before the first edit: an undo that leaves it empty deletes it. */
  createdFile: z.boolean(),
  /** Objects the edits created (e.g. ["env"]): an undo that leaves one empty removes it. */
  createdObjects: z.array(z.array(z.string()).min(1)),
  changes: z.array(changeSchema),
});
export type EditRecord = z.infer<typeof editRecordSchema>;

/** What an undo did, by dotted path. */
export interface UndoReport {
  /** Put back as it was before the edits (a value they replaced or removed). */
  restored: string[];
  /** Added by the edits, removed again. */
  removed: string[];
  /** Changed since the edits: left as it is. */
  left: string[];
}

type Slot = { present: true; value: unknown } | { present: false };

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const has = (o: object, k: string) => Object.hasOwn(o, k);

function slotAt(doc: Json, path: readonly string[]): Slot {
  let cur: unknown = doc;
  for (const k of path) {
    if (!isObject(cur) || !has(cur, k)) return { present: false };
    cur = cur[k];
  }
  return { present: true, value: cur };
}

/** The recorded before/after of a change as a slot. */
const slotOf = (c: RecordedChange, side: "before" | "after"): Slot =>
  has(c, side) ? { present: true, value: c[side] } : { present: false };

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => has(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const sameSlot = (a: Slot, b: Slot) =>
  a.present === b.present && (!a.present || (b.present && deepEqual(a.value, b.value)));

/** Sets or removes the value at `path`; returns the objects it had to create on the way. */
function put(doc: Json, path: readonly string[], slot: Slot): string[][] {
  const created: string[][] = [];
  let cur = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    if (!isObject(cur[k])) {
      if (!slot.present) return created; // nothing there to remove
      cur[k] = {};
      created.push(path.slice(0, i + 1));
    }
    cur = cur[k] as Json;
  }
  const last = path[path.length - 1] as string;
  if (slot.present) cur[last] = slot.value;
  else delete cur[last];
  return created;
}

const samePath = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Applies `edits` to a copy of `doc`. With `prior` (the record of earlier edits not yet undone), a
 * value still as an earlier edit left it keeps that edit's `before`, so one undo goes back to
 * before the first edit; a change the earlier edits recorded and these do not touch stays recorded.
 */
export function applyEdits(
  doc: Json,
  edits: readonly Edit[],
  prior: EditRecord | undefined,
  fileExisted: boolean,
): { doc: Json; record: EditRecord } {
  const next = structuredClone(doc);
  const record: EditRecord = prior
    ? structuredClone(prior)
    : { createdFile: !fileExisted, createdObjects: [], changes: [] };
  for (const edit of edits) {
    const now = slotAt(next, edit.path);
    const after: Slot = has(edit, "value") ? { present: true, value: edit.value } : { present: false };
    const i = record.changes.findIndex((c) => samePath(c.path, edit.path));
    const earlier = i === -1 ? undefined : record.changes[i];
    const before = earlier && sameSlot(now, slotOf(earlier, "after")) ? slotOf(earlier, "before") : now;
    if (i !== -1) record.changes.splice(i, 1);
    if (!sameSlot(before, after)) {
      record.changes.push({
        path: [...edit.path],
        ...(before.present ? { before: before.value } : {}),
        ...(after.present ? { after: after.value } : {}),
      });
    }
    for (const p of put(next, edit.path, after)) {
      if (!record.createdObjects.some((c) => samePath(c, p))) record.createdObjects.push(p);
    }
  }
  return { doc: next, record };
}

/** Undoes the recorded changes on a copy of `doc`; `empty` when nothing is left of a file the edits created. */
export function undoEdits(doc: Json, record: EditRecord): { doc: Json; report: UndoReport; empty: boolean } {
  const next = structuredClone(doc);
  const report: UndoReport = { restored: [], removed: [], left: [] };
  for (const c of record.changes) {
    const name = c.path.join(".");
    if (!sameSlot(slotAt(next, c.path), slotOf(c, "after"))) {
      report.left.push(name);
      continue;
    }
    const before = slotOf(c, "before");
    put(next, c.path, before);
    (before.present ? report.restored : report.removed).push(name);
  }
  // Deepest first, so that a parent emptied by removing its child goes too.
  for (const p of [...record.createdObjects].sort((a, b) => b.length - a.length)) {
    const s = slotAt(next, p);
    if (s.present && isObject(s.value) && Object.keys(s.value).length === 0) put(next, p, { present: false });
  }
  return { doc: next, report, empty: record.createdFile && Object.keys(next).length === 0 };
}
