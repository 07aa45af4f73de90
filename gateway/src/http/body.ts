import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

/** Reads a request body up to `limit` bytes; 413 past it, 400 if the client aborts. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(
      new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("error", () => {
      if (done) return;
      done = true;
      reject(new HttpError(400, "request body could not be read"));
    });
    req.on("aborted", () => {
      if (done) return;
      done = true;
      reject(new HttpError(400, "client aborted the request"));
    });
  });
}

/** Parses a JSON object body: 400 with a clear message otherwise. */
export function parseJsonObject(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) throw new HttpError(400, "request body is empty; expected a JSON object");
  let v: unknown;
  try {
    v = JSON.parse(buf.toString("utf8"));
  } catch (e) {
    const msg = e instanceof Error ? e.message : "invalid JSON";
    throw new HttpError(400, `request body is not valid JSON: ${msg}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new HttpError(400, "request body must be a JSON object");
  }
  return v as Record<string, unknown>;
}
