/**
 * Key-shaped values for tests, made at run time so that no literal in the repository looks like
 * a real credential to a secret scanner (or to a reader).
 */
export function fakeToken(prefix: string, length = 32): string {
  return `${prefix}${"0123456789abcdefABCDEF".repeat(Math.ceil(length / 22)).slice(0, length)}`;
}

/** A GitHub-token-shaped value: `ghp_` and 22 characters. */
export const FAKE_GHP = fakeToken("ghp_", 22);
