/**
 * The bits of the Prometheus text exposition format (version 0.0.4) the gateway needs: escaping,
 * label sets, number formatting and a fixed-bucket histogram. No dependencies, no I/O.
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value inside double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text: backslash and line feed escaped. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** `a="x",b="y"` (without braces), for label names that are valid identifiers. */
export function labelSet(names: readonly string[], values: readonly string[]): string {
  let out = "";
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ",";
    out += `${names[i]}="${escapeLabelValue(values[i] ?? "")}"`;
  }
  return out;
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}

/** `# HELP` and `# TYPE` lines of a metric family. */
export function header(name: string, type: "counter" | "gauge" | "histogram", help: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** `name{labels} value` (braces left out when there are no labels). */
export function sample(name: string, labels: string, value: number): string {
  return `${name}${labels === "" ? "" : `{${labels}}`} ${formatNumber(value)}\n`;
}

/** Observations counted into fixed, ascending upper bounds (seconds), plus sum and count. */
export class Histogram {
  /** counts[i]: observations <= bounds[i] (not cumulative; made cumulative when rendered). */
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  /** The `_bucket`, `_sum` and `_count` lines for one label set. */
  render(name: string, labels: string): string {
    const sep = labels === "" ? "" : ",";
    let out = "";
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i]!;
      out += `${name}_bucket{${labels}${sep}le="${formatNumber(this.bounds[i]!)}"} ${cumulative}\n`;
    }
    out += `${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}\n`;
    out += sample(`${name}_sum`, labels, this.sum);
    out += sample(`${name}_count`, labels, this.count);
    return out;
  }
}
