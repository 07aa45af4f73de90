// The admin API's problem titles are one set, one title per status, whichever part of the gateway
// refused the request (the routes, the body reader, the router, the Host/Origin guard, the HTTP
// parser): docs/api.md, "Errors".
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Problem } from "../../gateway/src/admin/contract.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

/** The answer to a raw request, for what fetch will not send (a malformed header). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    let got = "";
    socket.setEncoding("utf8").on("data", (s: string) => {
      got += s;
    });
    socket.on("end", () => resolve(got));
    socket.on("error", reject);
  });
}

describe("admin API problem titles", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  before(async () => {
    gw = await startGateway({});
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
  });
  after(async () => {
    await gw.close();
  });

  const problem = async (res: Response): Promise<Problem> => {
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    const p = (await res.json()) as Problem;
    assert.equal(p.status, res.status);
    return p;
  };

  test("one title per status, as docs/api.md lists them", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const post = (path: string, body: string, headers: Record<string, string> = json) =>
      fetch(`${gw.url}${path}`, { method: "POST", headers, body });
    await post("/api/keys", JSON.stringify({ name: "taken" }));
    const cases: Array<[string, () => Promise<Response>, number, string]> = [
      [
        "a validation error",
        () => post("/api/keys", JSON.stringify({ name: "a b" })),
        400,
        "invalid_request",
      ],
      ["a body that is not JSON", () => post("/api/keys", "{"), 400, "invalid_request"],
      [
        "a bad query parameter",
        () => fetch(`${gw.url}/api/logs?limit=0`, { headers: auth }),
        400,
        "invalid_request",
      ],
      ["no admin token", () => fetch(`${gw.url}/api/health`), 401, "unauthorized"],
      [
        "a foreign Origin",
        () => fetch(`${gw.url}/api/health`, { headers: { ...auth, origin: "https://evil.example" } }),
        403,
        "forbidden",
      ],
      ["an unknown path", () => fetch(`${gw.url}/api/nope`, { headers: auth }), 404, "not_found"],
      [
        "another method",
        () => fetch(`${gw.url}/api/keys`, { method: "PUT", headers: auth }),
        405,
        "method_not_allowed",
      ],
      ["a conflict", () => post("/api/keys", JSON.stringify({ name: "taken" })), 409, "conflict"],
      ["a body too large", () => post("/api/keys", `{"name":"${"x".repeat(1_100_000)}"}`), 413, "too_large"],
      [
        "a body that is not JSON by type",
        () => post("/api/keys", "name=x", auth),
        415,
        "unsupported_media_type",
      ],
    ];
    for (const [what, send, status, title] of cases) {
      const res = await send();
      assert.equal(res.status, status, what);
      assert.equal((await problem(res)).title, title, what);
    }
  });

  test("a request the HTTP parser refuses gets the same title", async () => {
    const answer = await raw(
      gw.port,
      "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n",
    );
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /content-type: application\/problem\+json/);
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as Problem;
    assert.equal(body.title, "invalid_request");
  });
});
