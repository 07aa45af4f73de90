/**
 * The JSON of results that are not changed once made, computed once: a session's cached
 * tools/list (sent again and again) and a tool call's result (measured for the log, then sent).
 */

const memo = new WeakMap<object, string | null>();

/** Marks a result its maker returns again unchanged and never mutates: its JSON is kept. */
export function stableResult<T extends object>(result: T): T {
  if (!memo.has(result)) memo.set(result, null);
  return result;
}

/** The JSON of a result that will not change from now on (kept for whoever sends it). */
export function jsonOf(result: object): string {
  let json = memo.get(result);
  if (json == null) {
    json = JSON.stringify(result);
    memo.set(result, json);
  }
  return json;
}

/** The JSON of `result` if it was marked stable or already serialized, else undefined. */
export function memoizedJson(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null || !memo.has(result)) return undefined;
  return jsonOf(result);
}
