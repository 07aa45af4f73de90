/**
 * Tells, fragment by fragment, whether a streamed JSON text has reached the end of its top-level
 * object or array: a tool call's arguments are complete once it has. Scans each character once;
 * no parsing, no buffering. A top-level scalar never counts as complete.
 */
export class JsonEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private _complete = false;

  get complete(): boolean {
    return this._complete;
  }

  feed(fragment: string): void {
    if (this._complete) return;
    for (let i = 0; i < fragment.length; i++) {
      const c = fragment.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
      } else if (c === 34) this.inString = true;
      else if (c === 123 /* { */ || c === 91 /* [ */) this.depth++;
      else if (c === 125 /* } */ || c === 93 /* ] */) {
        this.depth--;
        if (this.depth <= 0) {
          this._complete = true;
          return;
        }
      }
    }
  }
}
