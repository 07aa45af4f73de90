/** The last `max` lines of a stream (a server's stderr), each cut at 4000 characters. */
export class LineRing {
  private lines: string[] = [];
  private partial = "";

  constructor(private readonly max = 50) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = (parts.pop() ?? "").slice(-4000);
    for (const l of parts) this.lines.push(l.slice(0, 4000));
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  all(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }

  /** The last line that is not blank. */
  last(): string | undefined {
    return this.all()
      .filter((l) => l.trim() !== "")
      .at(-1)
      ?.trim();
  }
}
