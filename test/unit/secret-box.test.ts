import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { addedServerStoreFor } from "../../gateway/src/mcp/added-servers.js";
import { AesSecretBox } from "../../gateway/src/store/secret-box.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";

describe("secret box", () => {
  test("seals and opens; the sealed text does not contain the secret; legacy plain text passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-box-"));
    const box = AesSecretBox.forDataDir(dir);
    const sealed = box.seal('{"env":{"TOKEN":"sk-very-secret-1234"}}');
    assert.ok(sealed.startsWith("enc:v1:"));
    assert.ok(!sealed.includes("sk-very-secret"));
    assert.equal(box.open(sealed), '{"env":{"TOKEN":"sk-very-secret-1234"}}');
    assert.notEqual(box.seal("x"), box.seal("x"), "a fresh IV each time");
    assert.equal(box.open('{"plain":true}'), '{"plain":true}');
    assert.equal(statSync(join(dir, "secret.key")).mode & 0o777, 0o600);
    assert.equal(AesSecretBox.forDataDir(dir).open(sealed), box.open(sealed), "the same key is reused");
    const tampered = sealed.slice(0, -4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
    assert.throws(() => box.open(tampered));
  });

  test("MCP servers added with literal secrets are stored sealed in the database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-box-"));
    const store = SqliteStore.open(dir);
    const added = addedServerStoreFor(store);
    added.add(
      "api",
      { url: "http://127.0.0.1:9/mcp", headers: { "X-Token": "tok-literal-secret-99" } },
      "test",
    );
    const raw = JSON.stringify(store.db.prepare("SELECT * FROM mcp_servers").all());
    assert.ok(!raw.includes("tok-literal-secret-99"), "no plain secret in the row");
    assert.equal(added.get("api")?.config.url, "http://127.0.0.1:9/mcp");
    await store.close();
    const db = readFileSync(join(dir, "gatehouse.db"));
    assert.equal(db.indexOf("tok-literal-secret-99"), -1, "nor anywhere in the file");
  });
});
