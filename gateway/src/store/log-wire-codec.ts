/**
 * The primitives of the log hand-off's binary form (log-thread-wire.ts): numbers as float64,
 * small tags as uint16, strings as a uint32 length and their UTF-16 code units (exact, lone
 * surrogates included), bytes as a uint32 length and the bytes. Little-endian; every item starts
 * at an even offset, so a string's code units can be read and written through a Uint16Array.
 *
 * A string given a slot (a field's number) that equals the last string written in that slot
 * travels as a mark only, and is read back as that same string: a batch's records mostly repeat
 * their key, model, route, provider… so most of their strings cost neither copy nor allocation.
 */

/** The string length marks: no string (undefined), and the slot's last string again. */
const ABSENT = 0xffffffff;
const SAME = 0xfffffffe;
/** Longer strings are copied by Buffer (native); shorter ones by a loop, cheaper than the call. */
const LONG = 40;
/** Slots a writer and a reader remember strings for (log-wire-records.ts numbers them). */
export const SLOTS = 40;

/** Tags of an optional boolean. */
const NO = 0;
const YES = 1;
const UNSET = 2;

function pow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(n, 2)));
}

export class WireWriter {
  at = 0;
  /** The buffer's size (ArrayBuffer's byteLength getter is a call V8 does not inline). */
  private cap: number;
  private view: DataView;
  private u16: Uint16Array;
  private u8: Buffer;
  private readonly last: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);

  /** `buffer`: where to write, replaced by a bigger one (its bytes copied) when it fills up. */
  constructor(private buffer: ArrayBuffer) {
    this.cap = buffer.byteLength;
    this.view = new DataView(buffer);
    this.u16 = new Uint16Array(buffer, 0, buffer.byteLength >> 1);
    this.u8 = Buffer.from(buffer);
  }

  /** The buffer written, its items in [0, at). */
  get bytes(): ArrayBuffer {
    return this.buffer;
  }

  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.at + n <= this.cap) return;
    const next = new ArrayBuffer(pow2(Math.max(this.cap * 2, this.at + n)));
    new Uint8Array(next).set(new Uint8Array(this.buffer, 0, this.at));
    this.buffer = next;
    this.cap = next.byteLength;
    this.view = new DataView(next);
    this.u16 = new Uint16Array(next, 0, next.byteLength >> 1);
    this.u8 = Buffer.from(next);
  }

  num(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }

  /** A small unsigned integer (below 65,536). */
  tag(v: number): void {
    this.room(2);
    this.view.setUint16(this.at, v, true);
    this.at += 2;
  }

  /** A count or a length (below 2^32 - 2). */
  count(v: number): void {
    this.room(4);
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }

  optNum(v: number | undefined): void {
    if (v === undefined) this.tag(UNSET);
    else {
      this.tag(YES);
      this.num(v);
    }
  }

  bool(v: boolean | undefined): void {
    this.tag(v === undefined ? UNSET : v ? YES : NO);
  }

  /** `slot`: the field's number below SLOTS, or -1 for a string not remembered. */
  str(s: string | undefined, slot: number): void {
    if (s === undefined) {
      this.count(ABSENT);
      return;
    }
    if (slot >= 0) {
      if (this.last[slot] === s) {
        this.count(SAME);
        return;
      }
      this.last[slot] = s;
    }
    const n = s.length;
    this.room(4 + 2 * n);
    this.view.setUint32(this.at, n, true);
    this.at += 4;
    if (n > LONG) this.u8.write(s, this.at, "utf16le");
    else {
      const u16 = this.u16;
      const p = this.at >> 1;
      for (let i = 0; i < n; i++) u16[p + i] = s.charCodeAt(i);
    }
    this.at += 2 * n;
  }

  /** Bytes: the one array, or pieces joined (text as UTF-8). */
  bytesOf(pieces: Uint8Array | ReadonlyArray<Uint8Array | string>): void {
    this.count(0);
    const lengthAt = this.at - 4;
    if (pieces instanceof Uint8Array) this.put(pieces);
    else
      for (const x of pieces) {
        if (typeof x !== "string") this.put(x);
        else {
          this.room(3 * x.length);
          this.at += this.u8.write(x, this.at, "utf8");
        }
      }
    this.view.setUint32(lengthAt, this.at - lengthAt - 4, true);
    if (this.at & 1) this.at++;
    this.room(0);
  }

  private put(u: Uint8Array): void {
    this.room(u.byteLength);
    this.u8.set(u, this.at);
    this.at += u.byteLength;
  }
}

export class WireReader {
  at = 0;
  private readonly view: DataView;
  private readonly u16: Uint16Array;
  private readonly u8: Buffer;
  private readonly last: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);

  constructor(private readonly buffer: ArrayBuffer) {
    this.view = new DataView(buffer);
    this.u16 = new Uint16Array(buffer, 0, buffer.byteLength >> 1);
    this.u8 = Buffer.from(buffer);
  }

  /**
   * A number as JSON carried it before: -0 as 0, and NaN or an infinity as null (the rows and
   * what reads them got null for those, so they still do).
   */
  num(): number {
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v - v === 0 ? v + 0 : (null as unknown as number);
  }

  tag(): number {
    const v = this.view.getUint16(this.at, true);
    this.at += 2;
    return v;
  }

  count(): number {
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  optNum(): number | undefined {
    return this.tag() === UNSET ? undefined : this.num();
  }

  bool(): boolean | undefined {
    const t = this.tag();
    return t === UNSET ? undefined : t === YES;
  }

  str(slot: number): string | undefined {
    const n = this.count();
    if (n === ABSENT) return undefined;
    if (n === SAME) return this.last[slot];
    const from = this.at;
    this.at += 2 * n;
    const s =
      n > LONG
        ? this.u8.toString("utf16le", from, this.at)
        : String.fromCharCode.apply(null, this.u16.subarray(from >> 1, this.at >> 1) as unknown as number[]);
    if (slot >= 0) this.last[slot] = s;
    return s;
  }

  /** A view of bytes written by bytesOf (in the batch's buffer, not a copy). */
  bytesOf(): Uint8Array {
    const n = this.count();
    const from = this.at;
    this.at += n + (n & 1);
    return new Uint8Array(this.buffer, from, n);
  }
}
