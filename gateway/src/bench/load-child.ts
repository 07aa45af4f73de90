import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadResult, LoadSpec } from "./load.js";
import type { LoadReply, LoadRequest } from "./load-process.js";

/**
 * Starts load-process.ts (the bench's mock provider and load driver) as a child process and talks
 * to it over IPC. The child runs the same build as this module: the compiled .js, or the .ts source
 * under the loader this process was started with (tsx in development and tests).
 */
export interface LoadChild {
  /** The mock provider's origin (http://127.0.0.1:PORT). */
  mockUrl: string;
  load(spec: LoadSpec): Promise<LoadResult>;
  /** Requests the mock has answered so far. */
  hits(): Promise<number>;
  close(): Promise<void>;
}

/** The loader flags of this process (--import tsx and the like), which the child needs to run the same source. */
function loaderArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  const takesValue = new Set(["--import", "--require", "-r", "--loader", "--experimental-loader"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (takesValue.has(a) && i + 1 < argv.length) out.push(a, argv[++i]!);
    else if ([...takesValue].some((f) => a.startsWith(`${f}=`))) out.push(a);
  }
  return out;
}

const START_MS = 30_000;

/** A request before its id is given (distributed over the union's members). */
type Unnumbered<T> = T extends unknown ? Omit<T, "id"> : never;

export function startLoadChild(streamEvents: number): Promise<LoadChild> {
  const self = import.meta.url;
  const script = fileURLToPath(new URL(`./load-process.${self.endsWith(".ts") ? "ts" : "js"}`, self));
  const child: ChildProcess = fork(script, [String(streamEvents)], {
    execArgv: loaderArgs(process.execArgv),
    // Inside Electron's main process, the child must run as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
    serialization: "advanced",
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (r: LoadReply) => void; reject: (e: Error) => void }>();
  let next = 0;
  let exited: Error | undefined;
  const fail = (e: Error) => {
    exited ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  child.on("exit", (code, signal) =>
    fail(new Error(`the bench's load process ended (${signal ?? `exit code ${code}`})`)),
  );
  child.on("error", (e) => fail(e));
  child.on("message", (m: LoadReply) => {
    if (!("id" in m)) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    p?.resolve(m);
  });
  const ask = (req: Unnumbered<LoadRequest>): Promise<LoadReply> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ ...req, id } as LoadRequest);
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) child.disconnect();
      else child.kill();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`the bench's load process did not start within ${START_MS / 1000} s`));
    }, START_MS);
    const onExit = () => {
      clearTimeout(timer);
      reject(exited ?? new Error("the bench's load process ended at start"));
    };
    child.once("exit", onExit);
    child.once("error", onExit);
    child.on("message", (m: LoadReply) => {
      if (!("ready" in m)) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onExit);
      resolve({
        mockUrl: m.ready,
        async load(spec) {
          const r = await ask({ op: "load", spec });
          if ("error" in r) throw new Error(r.error);
          if (!("result" in r)) throw new Error("the bench's load process answered out of turn");
          return r.result;
        },
        async hits() {
          const r = await ask({ op: "hits" });
          if (!("hits" in r)) throw new Error("the bench's load process answered out of turn");
          return r.hits;
        },
        close,
      });
    });
  });
}
