import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Encrypts secrets the gateway must keep in its database (values given literally through the API
 * or CLI, such as an MCP server's env or headers). Headless, the key is a 0600 file in the data
 * folder; the desktop app can supply one backed by the OS keychain (Electron safeStorage).
 */
export interface SecretBox {
  seal(plain: string): string;
  /** Opens a sealed value; a value that was never sealed (older rows) is returned as it is. */
  open(stored: string): string;
}

const PREFIX = "enc:v1:";

export class AesSecretBox implements SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("secret key must be 32 bytes");
  }

  /** The box whose key lives in `<dataDir>/secret.key` (created 0600 on first use). */
  static forDataDir(dataDir: string): AesSecretBox {
    const path = join(dataDir, "secret.key");
    if (!existsSync(path)) {
      try {
        writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
      } catch (e) {
        // Another process (the CLI beside a running gateway) created it first: use theirs.
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
    }
    chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length === 32) return new AesSecretBox(key);
    throw new Error(`${path} is not a valid secret key; restore it from a backup (sealed secrets need it)`);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
