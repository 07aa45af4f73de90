// Google Application Default Credentials for a vertex provider without access_token: a service
// account key (a signed JWT exchanged for a token), gcloud's user credentials (a refresh token),
// the metadata server; tokens fetched again before they expire; no secret in an error.
import assert from "node:assert/strict";
import { createVerify, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { GoogleTokenSource } from "../../gateway/src/llm/providers/vertex/google-credentials.js";
import { recordingFetch as endpoint, jsonAnswer as json } from "../helpers/recording-fetch.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-gcp-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const file = (name: string, o: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(o));
  return p;
};

describe("Google token source", () => {
  test("a service account key: an RS256 JWT for the cloud-platform scope, exchanged; fetched again before the hour ends", async () => {
    const sa = file("sa.json", {
      type: "service_account",
      client_email: "gw@proj.iam.gserviceaccount.com",
      private_key: pem,
      token_uri: "https://oauth2.test/token",
    });
    let n = 0;
    const { fetchFn, asked } = endpoint(() => json({ access_token: `ya29.t${++n}`, expires_in: 3600 }));
    let now = Date.parse("2026-11-28T00:00:00Z");
    const source = new GoogleTokenSource({ env: {}, file: sa, fetch: fetchFn, now: () => now });
    const [a, b] = await Promise.all([source.get(), source.get()]);
    assert.deepEqual([a, b, asked.length], ["ya29.t1", "ya29.t1", 1], "one exchange for both");
    const form = asked[0]!.form;
    assert.equal(asked[0]!.url, "https://oauth2.test/token");
    assert.equal(form.get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
    const [head, claims, sig] = form.get("assertion")!.split(".");
    assert.ok(
      createVerify("RSA-SHA256")
        .update(`${head}.${claims}`)
        .verify(publicKey, Buffer.from(sig!, "base64url")),
    );
    const c = JSON.parse(Buffer.from(claims!, "base64url").toString()) as Record<string, unknown>;
    assert.deepEqual(c, {
      iss: "gw@proj.iam.gserviceaccount.com",
      scope: "https://www.googleapis.com/auth/cloud-platform",
      aud: "https://oauth2.test/token",
      iat: now / 1000,
      exp: now / 1000 + 3600,
    });
    now += 54 * 60_000;
    assert.equal(source.cached(), "ya29.t1");
    now += 2 * 60_000; // within five minutes of its end
    assert.equal(source.cached(), undefined);
    assert.equal(await source.get(), "ya29.t2");
  });

  test("gcloud's user credentials (application-default login): a refresh token exchanged", async () => {
    const gcloud = join(dir, "gcloud");
    mkdirSync(gcloud);
    writeFileSync(
      join(gcloud, "application_default_credentials.json"),
      JSON.stringify({
        type: "authorized_user",
        client_id: "cid",
        client_secret: "csecret",
        refresh_token: "1//rt",
      }),
    );
    const { fetchFn, asked } = endpoint(() => json({ access_token: "ya29.user", expires_in: 3599 }));
    const source = new GoogleTokenSource({ env: { CLOUDSDK_CONFIG: gcloud }, fetch: fetchFn });
    assert.equal(await source.get(), "ya29.user");
    assert.equal(asked[0]!.url, "https://oauth2.googleapis.com/token");
    assert.deepEqual(Object.fromEntries(asked[0]!.form), {
      grant_type: "refresh_token",
      client_id: "cid",
      client_secret: "csecret",
      refresh_token: "1//rt",
    });
  });

  test("refusals and missing files say what, never a secret", async () => {
    const user = file("user.json", {
      type: "authorized_user",
      client_id: "c",
      client_secret: "s",
      refresh_token: "1//secret-rt",
    });
    const refused = endpoint(() =>
      json({ error: "invalid_grant", error_description: "Bad token 1//secret-rt" }, 400),
    );
    await assert.rejects(
      new GoogleTokenSource({ env: { GOOGLE_APPLICATION_CREDENTIALS: user }, fetch: refused.fetchFn }).get(),
      (e: Error) => {
        assert.equal(
          e.message,
          "Google refused a token for the gcloud user credentials (HTTP 400: invalid_grant)",
        );
        return true;
      },
    );
    await assert.rejects(
      new GoogleTokenSource({
        env: { GOOGLE_APPLICATION_CREDENTIALS: join(dir, "missing.json") },
        fetch: refused.fetchFn,
      }).get(),
      /the Google credentials file .*missing\.json cannot be read/,
    );
    const unknown = file("impersonated.json", { type: "impersonated_service_account" });
    await assert.rejects(
      new GoogleTokenSource({ env: {}, file: unknown, fetch: refused.fetchFn }).get(),
      /type "impersonated_service_account" are not supported/,
    );
  });

  test("no file: the metadata server, else a sentence saying where it looked", async () => {
    const meta = endpoint(() => json({ access_token: "ya29.vm", expires_in: 1000, token_type: "Bearer" }));
    const env = { CLOUDSDK_CONFIG: join(dir, "nothing-here"), GCE_METADATA_HOST: "169.254.169.254" };
    assert.equal(await new GoogleTokenSource({ env, fetch: meta.fetchFn }).get(), "ya29.vm");
    assert.equal(
      meta.asked[0]!.url,
      "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token",
    );
    assert.equal(meta.asked[0]!.headers["metadata-flavor"], "Google");
    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    await assert.rejects(new GoogleTokenSource({ env, fetch: down }).get(), /no Google credentials found/);
  });
});
