/** One schema step. Runs once, in version order, inside a transaction. Never edit a shipped one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
