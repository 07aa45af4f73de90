/**
 * AWS Signature Version 4 for Bedrock runtime calls (service "bedrock"), via aws4.
 *
 * Model ids contain ':' (anthropic.claude-3-5-sonnet-20240620-v1:0), which must be percent-encoded
 * in the request path; SigV4 for non-S3 services then encodes the path once more in the canonical
 * request (%3A -> %253A), which aws4 does. The path is normalised here idempotently, so a raw or an
 * already-encoded path signs the same; the request must be sent to `encodeAwsPath(path)`.
 */
import aws4 from "aws4";

export interface BedrockSignOptions {
  region: string;
  host: string;
  /** Request path (raw or percent-encoded), with an optional query string. */
  path: string;
  /** Default POST. */
  method?: "GET" | "POST";
  body: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accept: string;
  /** Further headers, signed too (the guardrail's, on InvokeModel). */
  extraHeaders?: Record<string, string>;
  /** Signing time; defaults to now (tests pin it). */
  date?: Date;
}

function encodeSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // a stray '%': encode the segment as it is
  }
  return encodeURIComponent(decoded).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** RFC 3986 encoding of each path segment, idempotent ('/' and the query string are kept). */
export function encodeAwsPath(path: string): string {
  const q = path.indexOf("?");
  const pathPart = q === -1 ? path : path.slice(0, q);
  const encoded = pathPart.split("/").map(encodeSegment).join("/");
  return q === -1 ? encoded : encoded + path.slice(q);
}

/** Path of InvokeModel / InvokeModelWithResponseStream for a model id or inference profile. */
export function bedrockModelPath(modelId: string, stream: boolean): string {
  return `/model/${encodeSegment(modelId)}/${stream ? "invoke-with-response-stream" : "invoke"}`;
}

/** `YYYYMMDDTHHMMSSZ` */
function amzDate(d: Date): string {
  return d.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** The headers to send with the request (lower-case names): host, content-type, accept, x-amz-*, authorization. */
export function signBedrockRequest(opts: BedrockSignOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: opts.accept,
    ...opts.extraHeaders,
  };
  if (opts.date) headers["X-Amz-Date"] = amzDate(opts.date);
  const signed = aws4.sign(
    {
      host: opts.host,
      path: encodeAwsPath(opts.path),
      method: opts.method ?? "POST",
      service: "bedrock",
      region: opts.region,
      body: opts.body,
      headers,
    },
    {
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}),
    },
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers ?? {})) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : String(v);
  }
  return out;
}
