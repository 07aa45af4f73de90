// A stand-in for the system browser in OAuth tests: given the authorization URL, it asks the
// authorization server (which approves at once), and takes its redirect to the gateway's
// /oauth/callback, as a browser would.
import type { BrowserOpener } from "../../gateway/src/mcp/oauth/opener.js";

export interface Visit {
  status: number;
  text: string;
  contentType: string;
}

/** Follows the authorization URL to the authorization server; returns where it redirects (the callback). */
export async function authorize(url: string): Promise<string> {
  const res = await fetch(url, { redirect: "manual" });
  await res.body?.cancel();
  const location = res.headers.get("location");
  if (res.status < 300 || res.status > 399 || !location)
    throw new Error(`the authorization server answered ${res.status} without a redirect`);
  return new URL(location, url).href;
}

/** Opens a URL as a browser's address bar would (GET, no Origin). */
export async function visit(url: string): Promise<Visit> {
  const res = await fetch(url, { redirect: "manual" });
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") ?? "" };
}

export interface TestBrowser extends BrowserOpener {
  /** URLs it was asked to open. */
  readonly opened: string[];
  /** The callback pages it was shown. */
  readonly pages: Visit[];
  /** Resolves with the page of the next completed login. */
  nextPage(): Promise<Visit>;
}

/** An opener that completes every login it is given, like a person clicking "Allow". */
export function testBrowser(): TestBrowser {
  const opened: string[] = [];
  const pages: Visit[] = [];
  let waiters: Array<(v: Visit) => void> = [];
  return {
    opened,
    pages,
    open(url) {
      opened.push(url);
      void (async () => {
        const page = await visit(await authorize(url));
        pages.push(page);
        const w = waiters;
        waiters = [];
        for (const f of w) f(page);
      })();
    },
    nextPage: () => new Promise((resolve) => waiters.push(resolve)),
  };
}
