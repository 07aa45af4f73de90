import type { Upstream } from "./upstream.js";
import type { UpstreamState, UpstreamStatus } from "./upstream-types.js";

/**
 * Waits for a server that is restarting after a crash (crashed, in backoff, starting) to be ready
 * again, for a call a person allowed meanwhile: true once it is ready; false at once when it is
 * not restarting (stopped, needs a login), and as soon as it will not be back: its restart failed,
 * it was stopped, it needs a login, `signal` aborted (the client cancelled), or `ms` passed.
 */
export function backAgain(u: Upstream, ms: number, signal?: AbortSignal): Promise<boolean> {
  const restarting = (s: UpstreamState) => s === "crashed" || s === "backoff" || s === "starting";
  if (u.ready) return Promise.resolve(true);
  if (!restarting(u.status.state) || signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    let was = u.status.state;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      u.off("state", onState);
      signal?.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onState = (s: UpstreamStatus) => {
      if (s.state === "ready") done(true);
      else if (!restarting(s.state) || (was === "starting" && s.state === "crashed")) done(false);
      was = s.state;
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    u.on("state", onState);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
