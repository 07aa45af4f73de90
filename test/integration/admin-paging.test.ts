// Every paged list of the admin API (the routes that take a `cursor`) takes the same `limit`: one
// maximum, one default, the same 400 problem past it, and the same words in the OpenAPI document
// (docs/api.md, "Pages").
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LogPageView, Problem } from "../../gateway/src/admin/contract.js";
import { adminJson } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

interface OpenApiParam {
  name: string;
  in: string;
  description?: string;
}
type OpenApiDoc = { paths: Record<string, Record<string, { parameters?: OpenApiParam[] }>> };

describe("admin API: one page limit for every paged list", () => {
  let gw: TestGateway;
  /** Path -> its `limit` documentation, for every GET that takes a `cursor`. */
  let lists: Map<string, string | undefined>;

  before(async () => {
    gw = await startGateway({});
    const doc = (await adminJson<OpenApiDoc>(gw, "GET", "/api/openapi.json")).json;
    lists = new Map();
    for (const [path, methods] of Object.entries(doc.paths)) {
      const params = methods.get?.parameters ?? [];
      if (params.some((p) => p.name === "cursor"))
        lists.set(path, params.find((p) => p.name === "limit")?.description);
    }
  });
  after(async () => {
    await gw?.close();
  });

  test("the paged lists are the request log, the tool-call log and the approval log", () => {
    assert.deepEqual([...lists.keys()].sort(), ["/api/approvals/log", "/api/logs", "/api/logs/tools"]);
  });

  test("each documents limit the same way", () => {
    for (const [path, doc] of lists) assert.equal(doc, "1 to 500 (default 100)", path);
  });

  test("limit=501 is the same 400 problem on each; 500 and 1 are taken", async () => {
    for (const path of lists.keys()) {
      const over = await adminJson<Problem>(gw, "GET", `${path}?limit=501`);
      assert.equal(over.status, 400, path);
      assert.equal(over.type, "application/problem+json", path);
      assert.equal(over.json.title, "invalid_request", path);
      assert.equal(over.json.detail, "limit: at most 500", path);
      const zero = await adminJson<Problem>(gw, "GET", `${path}?limit=0`);
      assert.equal(zero.json.detail, "limit: at least 1", path);
      for (const ok of ["500", "1"]) {
        const page = await adminJson<LogPageView<unknown>>(gw, "GET", `${path}?limit=${ok}`);
        assert.equal(page.status, 200, `${path}?limit=${ok}`);
        assert.deepEqual(page.json, { rows: [], nextCursor: null }, path);
      }
    }
  });
});
