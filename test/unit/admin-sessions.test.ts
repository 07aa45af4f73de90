import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AdminSessions,
  presentedSession,
  SESSION_COOKIE,
  sessionSecure,
} from "../../gateway/src/admin/sessions.js";

const HOUR = 60 * 60_000;

describe("admin browser sessions", () => {
  test("a session ends after its idle time, its maximum age, or logout", () => {
    let now = 0;
    const s = new AdminSessions({ idleMs: HOUR, maxAgeMs: 5 * HOUR, max: 8 }, () => now);
    const a = s.create();
    now += HOUR - 1;
    assert.ok(s.use(a), "used within the idle time");
    now += HOUR + 1;
    assert.ok(!s.use(a), "idle too long");

    const b = s.create();
    for (let i = 1; i <= 5; i++) {
      now += HOUR - 1;
      assert.ok(s.use(b), `kept alive by use (${i} h)`);
    }
    now += HOUR - 1;
    assert.ok(!s.use(b), "past its maximum age however often used");

    const c = s.create();
    assert.ok(s.end(c));
    assert.ok(!s.use(c));
    assert.ok(!s.use("made-up"));
  });

  test("at most `max` at once: a new login ends the one used longest ago", () => {
    const s = new AdminSessions({ idleMs: HOUR, maxAgeMs: HOUR, max: 3 }, () => 0);
    const [a, b, c] = [s.create(), s.create(), s.create()];
    assert.ok(s.use(a));
    const d = s.create();
    assert.equal(s.size, 3);
    assert.ok(!s.use(b), "least recently used: ended");
    for (const id of [a, c, d]) assert.ok(s.use(id));
  });

  test("ids are random and the cookie carries one", () => {
    const s = new AdminSessions();
    const ids = new Set(Array.from({ length: 50 }, () => s.create()));
    assert.equal(ids.size, 50, "all different");
    assert.equal(s.size, 32, "the newest 32 kept");
    const [id] = [...ids];
    assert.equal(presentedSession(`other=1; ${SESSION_COOKIE}=${id}; x=y`), id);
    assert.equal(presentedSession("other=1"), undefined);
    assert.equal(presentedSession(undefined), undefined);
  });
});

describe("sessionSecure", () => {
  const req = (remoteAddress: string, proto?: string, encrypted?: boolean) => ({
    socket: { remoteAddress, ...(encrypted ? { encrypted } : {}) },
    headers: proto === undefined ? {} : { "x-forwarded-proto": proto },
  });

  test("X-Forwarded-Proto counts only from a proxy on this machine; TLS and the setting always", () => {
    assert.equal(sessionSecure(req("127.0.0.1", "https"), false), true);
    assert.equal(sessionSecure(req("::ffff:127.0.0.1", "HTTPS"), false), true);
    assert.equal(sessionSecure(req("::1", "https"), false), true);
    assert.equal(sessionSecure(req("203.0.113.7", "https"), false), false, "any client could send it");
    assert.equal(sessionSecure(req("127.0.0.1"), false), false);
    assert.equal(sessionSecure(req("203.0.113.7", undefined, true), false), true, "a TLS socket");
    assert.equal(sessionSecure(req("203.0.113.7"), true), true, "settings.secure_cookies");
  });
});
