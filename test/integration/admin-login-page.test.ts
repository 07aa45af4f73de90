// A login link that no longer works (used, expired, replaced, or never issued): a person who opens
// it in a browser reads a small page saying how to get a new one; an API client gets problem JSON.
// Both are 401, and every such code gets the same answer.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import type { Problem } from "../../gateway/src/admin/contract.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

/** What Chromium sends when a person opens a URL. */
const BROWSER = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
  "sec-fetch-site": "none",
};

describe("admin API: a stale login link", () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway({});
  });
  after(async () => {
    await gw?.close();
  });

  /** GET without redirects, by node:http: fetch would replace Sec-Fetch-Mode with its own "cors". */
  const open = (link: string, headers: Record<string, string> = {}) =>
    new Promise<Response>((resolve, reject) => {
      request(link, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, String(v));
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
        });
      })
        .on("error", reject)
        .end();
    });

  /** A link used once already, a link a newer one replaced, and a code that never existed. */
  const staleLinks = async (): Promise<string[]> => {
    const used = gw.gateway.admin.loginLink();
    assert.equal((await open(used)).status, 302, "the first opening signs in");
    const replaced = gw.gateway.admin.loginLink();
    gw.gateway.admin.loginLink();
    return [used, replaced, `${gw.url}/api/login?code=never-issued`, `${gw.url}/api/login`];
  };

  test("a browser gets a static page saying the link is spent and how to get a new one", async () => {
    const pages = new Set<string>();
    for (const link of await staleLinks()) {
      const asks: Record<string, string>[] = [
        BROWSER,
        { accept: BROWSER.accept },
        { "sec-fetch-mode": "navigate" },
      ];
      for (const headers of asks) {
        const res = await open(link, headers);
        assert.equal(res.status, 401, link);
        assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
        assert.equal(res.headers.get("set-cookie"), null, "no session");
        assert.equal(res.headers.get("cache-control"), "no-store");
        const csp = res.headers.get("content-security-policy") ?? "";
        assert.match(csp, /default-src 'none'/);
        assert.doesNotMatch(csp, /script-src/);
        const page = await res.text();
        assert.match(page, /used or has expired/);
        assert.match(page, /<code>gatehouse login-link<\/code>/);
        assert.doesNotMatch(page, /<script/i);
        pages.add(page);
      }
    }
    assert.equal(pages.size, 1, "the same page whichever code it was: it tells nothing about codes");
  });

  test("an API client keeps the problem JSON", async () => {
    const details = new Set<string>();
    for (const link of await staleLinks()) {
      const asks: Record<string, string>[] = [
        {},
        { accept: "application/json" },
        { accept: "*/*" },
        { accept: "text/html;q=0.5, application/json" },
      ];
      for (const headers of asks) {
        const res = await open(link, headers);
        assert.equal(res.status, 401, link);
        assert.equal(res.headers.get("content-type"), "application/problem+json");
        const problem = (await res.json()) as Problem;
        assert.match(problem.detail, /gatehouse login-link/);
        details.add(problem.detail);
      }
    }
    assert.equal(details.size, 1);
  });
});
