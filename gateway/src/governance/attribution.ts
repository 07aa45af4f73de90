import type { IncomingHttpHeaders } from "node:http";

/** What a request says about itself beyond its key: custom metadata and the project. */

const META_PREFIX = "x-gatehouse-meta-";
const MAX_META = 32;
const MAX_VALUE = 256;
const PROJECT = /^[A-Za-z0-9_.:@/-]{1,64}$/;

/** x-gatehouse-meta-NAME: VALUE headers as { NAME: VALUE } (at most 32, values cut at 256 chars). */
export function metaFromHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const meta: Record<string, string> = {};
  let n = 0;
  for (const name in headers) {
    if (!name.startsWith(META_PREFIX)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    const key = name.slice(META_PREFIX.length);
    if (key === "" || n >= MAX_META) continue;
    const v = Array.isArray(value) ? value.join(", ") : value;
    meta[key] = v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) : v;
    n++;
  }
  return meta;
}

/** The project a request is charged to: x-gatehouse-project, else x-gatehouse-meta-project. */
export function projectOf(headers: IncomingHttpHeaders, meta: Record<string, string>): string | undefined {
  const h = headers["x-gatehouse-project"];
  const v = (typeof h === "string" ? h : undefined) ?? meta.project;
  return v !== undefined && PROJECT.test(v) ? v : undefined;
}
