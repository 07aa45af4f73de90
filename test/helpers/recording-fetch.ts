// A stand-in for fetch that records every request (URL, method, headers, body) and answers from
// the test's function: for credential sources that call token endpoints and metadata services.

export interface FetchAsked {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  /** The body as a form (token endpoints take application/x-www-form-urlencoded). */
  form: URLSearchParams;
}

export function recordingFetch(answer: (a: FetchAsked) => Response): {
  fetchFn: typeof fetch;
  asked: FetchAsked[];
} {
  const asked: FetchAsked[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const body = typeof init?.body === "string" ? init.body : "";
    const a = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      body,
      form: new URLSearchParams(body),
    };
    asked.push(a);
    return answer(a);
  }) as typeof fetch;
  return { fetchFn, asked };
}

/** A JSON answer. */
export const jsonAnswer = (o: unknown, status = 200): Response => new Response(JSON.stringify(o), { status });
