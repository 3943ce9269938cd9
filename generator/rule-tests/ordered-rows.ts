import type { StreamRow } from './stream-rows.js';

/** Time order of stream rows: TimeGenerated, then file order. */
export function compareRows(a: StreamRow, b: StreamRow): number {
  return a.generated - b.generated || a.seq - b.seq;
}

/** A record older than records already passed on by more than the slack: the file is not in time order. */
export class OutOfOrder extends Error {
  constructor(
    readonly row: StreamRow,
    readonly after: StreamRow,
  ) {
    super('records out of time order');
  }
}

export interface ReorderLimits {
  /** How far back in time a record may arrive and still be put in its place (ms). */
  slackMs: number;
  /** At most this many records wait to be put in place; past it the oldest goes on. */
  maxPending: number;
}

/**
 * Puts the records of one file in time order when they are nearly so: a record waits until the
 * file has shown records `slackMs` newer (or until `maxPending` wait), and records arriving within
 * that slack are put in their place. A record older than one already passed on cannot be, and
 * throws OutOfOrder: the replay then sorts the file on disk instead (external-sort.ts). Pure.
 */
export class Reorder {
  private pending: StreamRow[] = [];
  private head = 0;
  private newest = Number.NEGATIVE_INFINITY;
  private released: StreamRow | undefined;

  constructor(private readonly limits: ReorderLimits) {}

  /** Takes `row`, passing on to `out` what is now in order. */
  add(row: StreamRow, out: StreamRow[]): void {
    if (this.released && compareRows(row, this.released) < 0) throw new OutOfOrder(row, this.released);
    const pending = this.pending;
    const last = pending[pending.length - 1];
    if (pending.length === this.head || !last || compareRows(last, row) <= 0) pending.push(row);
    else {
      let low = this.head;
      let high = pending.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (compareRows(pending[middle]!, row) <= 0) low = middle + 1;
        else high = middle;
      }
      pending.splice(low, 0, row);
    }
    if (row.generated > this.newest) this.newest = row.generated;
    const before = this.newest - this.limits.slackMs;
    while (this.head < pending.length && (pending[this.head]!.generated <= before || pending.length - this.head > this.limits.maxPending)) {
      this.released = pending[this.head++]!;
      out.push(this.released);
    }
    if (this.head > 4096 && this.head * 2 > pending.length) {
      this.pending = pending.slice(this.head);
      this.head = 0;
    }
  }

  /** Passes on every record still waiting (the file has ended). */
  flush(out: StreamRow[]): void {
    for (let i = this.head; i < this.pending.length; i++) out.push(this.pending[i]!);
    this.pending = [];
    this.head = 0;
  }
}

/** The rows of `source` (batches as read) in time order, through a Reorder. */
export async function* reordered(source: AsyncIterable<StreamRow[]>, limits: ReorderLimits): AsyncGenerator<StreamRow[]> {
  const reorder = new Reorder(limits);
  for await (const batch of source) {
    const out: StreamRow[] = [];
    for (const row of batch) reorder.add(row, out);
    if (out.length > 0) yield out;
  }
  const rest: StreamRow[] = [];
  reorder.flush(rest);
  if (rest.length > 0) yield rest;
}

/**
 * Sources each in time order, merged into one stream in time order (ties in file order). A source
 * is read only as far as the merge needs, so memory holds a batch per source.
 */
export async function* mergeOrdered(sources: readonly AsyncIterable<StreamRow[]>[], batchSize = 4096): AsyncGenerator<StreamRow[]> {
  if (sources.length === 1) {
    yield* sources[0]!;
    return;
  }
  const heads = sources.map((source) => ({ iterator: source[Symbol.asyncIterator](), rows: [] as StreamRow[], at: 0, done: false }));
  const fill = async (head: (typeof heads)[number]) => {
    while (!head.done && head.at >= head.rows.length) {
      const next = await head.iterator.next();
      if (next.done) head.done = true;
      else {
        head.rows = next.value;
        head.at = 0;
      }
    }
  };
  try {
    for (const head of heads) await fill(head);
    let out: StreamRow[] = [];
    for (;;) {
      let best: (typeof heads)[number] | undefined;
      for (const head of heads) {
        if (head.at >= head.rows.length) continue;
        if (!best || compareRows(head.rows[head.at]!, best.rows[best.at]!) < 0) best = head;
      }
      if (!best) break;
      out.push(best.rows[best.at++]!);
      if (best.at >= best.rows.length) await fill(best);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.all(heads.map((head) => (head.done ? undefined : head.iterator.return?.())));
  }
}
