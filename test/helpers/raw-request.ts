// An HTTP request with full control of its headers, for the tests of Host and Origin checks:
// fetch cannot set Host.
import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): { type?: string; error: { type: string; message: string } };
}

/** A request with full control of the headers (fetch cannot set Host); POST unless `method` says. */
export function raw(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer[] },
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? "POST",
        path: opts.path,
        headers: opts.headers,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
        );
      },
    );
    req.on("error", reject);
    if (Array.isArray(opts.body)) for (const c of opts.body) req.write(c);
    else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
