/**
 * Records not in time order, sorted on disk in bounded memory: chunks of at most `chunkRows`
 * records are sorted in memory and written to a temporary folder, then read back merged (a heap
 * over the chunks), so memory holds one chunk while writing and a piece of each chunk while merging.
 * The fallback of a history replay whose export is not in time order.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { INGESTION_TIME, type Row } from '../evaluate/table.js';
import { parseClockTimespan, parseDateTime, type KValue } from '../evaluate/values.js';
import type { ColumnSchema } from '../validate/kusto-schema.js';
import { compareRows } from './ordered-rows.js';
import type { StreamRow } from './stream-rows.js';

interface TableCodec {
  columns: string[];
  kinds: ('datetime' | 'timespan' | 'value')[];
  make: (values: readonly KValue[]) => Row;
}

type Encoded = [table: number, generated: number, ingested: number, seq: number, actor: string | null, values: unknown[] | null, extras: [string, KValue][] | null, ingestion: string | null];

/** A datetime or timespan as the text Kusto prints for it (all its precision), and back. */
const asText = (value: KValue): string | null => (value === null ? null : (value as { toJSON(): string }).toJSON());
function fromText(kind: 'datetime' | 'timespan', text: string): KValue {
  const value = kind === 'datetime' ? parseDateTime(text) : parseClockTimespan(text);
  if (!value) throw new Error(`replay's sort on disk read back a ${kind} it cannot parse: ${text}`);
  return value;
}

/**
 * Stream rows as bytes and back: V8's own serializer (structured clone: JSON-like values, bigints,
 * a key named __proto__) of [table, generated, ingested, seq, actor, values, extras, ingestion].
 * Datetime and timespan columns, and the hidden ingestion time, travel as the text Kusto prints
 * for them, which keeps every digit of them; the row's other columns as a list of [name, value].
 */
export class RowCodec {
  private readonly tables: string[] = [];
  private readonly codecs = new Map<string, TableCodec>();

  constructor(
    private readonly schemas: Readonly<Record<string, readonly ColumnSchema[]>>,
    private readonly columnsOf: (table: string) => string[],
  ) {}

  private codec(table: string): TableCodec {
    let codec = this.codecs.get(table);
    if (!codec) {
      const types = new Map((this.schemas[table] ?? []).map((c) => [c.name, c.type]));
      const columns = this.columnsOf(table);
      const fields = columns.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
      codec = {
        columns,
        kinds: columns.map((name) => (types.get(name) === 'datetime' ? 'datetime' : types.get(name) === 'timespan' ? 'timespan' : 'value')),
        // An object literal keeps its properties in the object, as the typed rows do (input-rows.ts).
        make: new Function('v', `return { ${fields} };`) as (values: readonly KValue[]) => Row,
      };
      this.codecs.set(table, codec);
      this.tables.push(table);
    }
    return codec;
  }

  /** Rows as bytes: one serialization for many rows (a row at a time allocates far more). */
  pack(rows: readonly StreamRow[]): Buffer {
    return serialize(rows.map((row) => this.encode(row)));
  }

  unpack(bytes: Buffer): StreamRow[] {
    return (deserialize(bytes) as Encoded[]).map((encoded) => this.decode(encoded));
  }

  private encode(row: StreamRow): Encoded {
    const codec = this.codec(row.table);
    let values: unknown[] | null = null;
    let extras: [string, KValue][] | null = null;
    let ingestion: string | null = null;
    if (row.row) {
      const typed = row.row;
      values = codec.columns.map((name, i) => (codec.kinds[i] === 'value' ? (typed[name] ?? null) : asText(typed[name] ?? null)));
      const known = new Set(codec.columns);
      for (const name of Object.keys(typed)) {
        if (known.has(name) || name === INGESTION_TIME) continue;
        (extras ??= []).push([name, typed[name]!]);
      }
      ingestion = asText(typed[INGESTION_TIME] ?? null);
    }
    return [this.tables.indexOf(row.table), row.generated, row.ingested, row.seq, row.actor ?? null, values, extras, ingestion];
  }

  private decode([tableIndex, generated, ingested, seq, actor, values, extras, ingestion]: Encoded): StreamRow {
    const table = this.tables[tableIndex]!;
    const stream: StreamRow = { table, generated, ingested, seq, row: undefined, actor: actor ?? undefined };
    if (values) {
      const codec = this.codec(table);
      const typed = values.map((value, i) => (value === null || codec.kinds[i] === 'value' ? (value as KValue) : fromText(codec.kinds[i] as 'datetime' | 'timespan', value as string)));
      const row = codec.make(typed);
      for (const [name, value] of extras ?? []) row[name] = value;
      row[INGESTION_TIME] = ingestion === null ? null : fromText('datetime', ingestion);
      stream.row = row;
    }
    return stream;
  }
}

/** Rows serialized together in a chunk file. */
const FRAME_ROWS = 1024;

/** At most this many chunk files are read at once; more are first merged in groups into longer ones. */
export const MAX_OPEN_CHUNKS = 128;

/** A temporary folder of sorted chunks; `remove()` deletes it. */
export class SortedChunks {
  files: string[] = [];
  /** Chunks written (the count a report gives), before any were merged into longer ones. */
  written = 0;
  private merges = 0;
  private pending: StreamRow[] = [];
  private constructor(
    readonly dir: string,
    private readonly codec: RowCodec,
    private readonly chunkRows: number,
    private readonly maxOpen: number,
  ) {}

  static async create(codec: RowCodec, chunkRows: number, parent = tmpdir(), maxOpen = MAX_OPEN_CHUNKS): Promise<SortedChunks> {
    return new SortedChunks(await mkdtemp(join(parent, 'breakglass-replay-')), codec, chunkRows, maxOpen);
  }

  /** Takes rows in any order; writes a sorted chunk each time `chunkRows` are held. */
  async add(rows: readonly StreamRow[]): Promise<void> {
    for (const row of rows) {
      this.pending.push(row);
      if (this.pending.length >= this.chunkRows) await this.spill();
    }
  }

  /** Writes what is held; then the chunks can be merged (in groups first, while there are more than `maxOpen`). */
  async close(): Promise<void> {
    if (this.pending.length > 0) await this.spill();
    while (this.files.length > this.maxOpen) {
      const longer: string[] = [];
      for (let at = 0; at < this.files.length; at += this.maxOpen) {
        const group = this.files.slice(at, at + this.maxOpen);
        const file = join(this.dir, `merged-${this.merges++}.bin`);
        await this.write(file, this.mergedOf(group));
        await Promise.all(group.map((old) => rm(old, { force: true })));
        longer.push(file);
      }
      this.files = longer;
    }
  }

  private async spill(): Promise<void> {
    const rows = this.pending.sort(compareRows);
    this.pending = [];
    const file = join(this.dir, `chunk-${this.written++}.bin`);
    await this.write(file, [rows]);
    this.files.push(file);
  }

  /** Writes rows as frames of up to FRAME_ROWS rows: a 4-byte length (little-endian), then their bytes. */
  private async write(file: string, batches: AsyncIterable<StreamRow[]> | Iterable<StreamRow[]>): Promise<void> {
    const out = createWriteStream(file);
    let frame: StreamRow[] = [];
    const flush = async () => {
      const bytes = this.codec.pack(frame);
      frame = [];
      const length = Buffer.allocUnsafe(4);
      length.writeUInt32LE(bytes.length);
      if (!out.write(Buffer.concat([length, bytes]))) await once(out, 'drain');
    };
    for await (const rows of batches) {
      for (const row of rows) {
        frame.push(row);
        if (frame.length >= FRAME_ROWS) await flush();
      }
    }
    if (frame.length > 0) await flush();
    out.end();
    await once(out, 'finish');
  }

  /** Every row written, in time order (ties in file order). */
  merged(batchSize = 4096): AsyncGenerator<StreamRow[]> {
    return this.mergedOf(this.files, batchSize);
  }

  private async *mergedOf(files: readonly string[], batchSize = 4096): AsyncGenerator<StreamRow[]> {
    const readers = files.map((file) => chunkRows(file, this.codec)[Symbol.asyncIterator]());
    const heap = new RowHeap();
    const buffers = readers.map(() => ({ rows: [] as StreamRow[], at: 0 }));
    const pull = async (source: number): Promise<void> => {
      const buffer = buffers[source]!;
      if (buffer.at < buffer.rows.length) return;
      const next = await readers[source]!.next();
      if (!next.done) {
        buffer.rows = next.value;
        buffer.at = 0;
      }
    };
    try {
      for (let source = 0; source < readers.length; source++) {
        await pull(source);
        const buffer = buffers[source]!;
        if (buffer.at < buffer.rows.length) heap.push(buffer.rows[buffer.at++]!, source);
      }
      let out: StreamRow[] = [];
      while (heap.size > 0) {
        const { row, source } = heap.pop();
        out.push(row);
        await pull(source);
        const buffer = buffers[source]!;
        if (buffer.at < buffer.rows.length) heap.push(buffer.rows[buffer.at++]!, source);
        if (out.length >= batchSize) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
    } finally {
      await Promise.all(readers.map((reader) => reader.return?.(undefined)));
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A chunk file's rows, a batch per piece read. */
async function* chunkRows(file: string, codec: RowCodec): AsyncGenerator<StreamRow[]> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const piece of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    const bytes = rest.length === 0 ? piece : Buffer.concat([rest, piece]);
    const rows: StreamRow[] = [];
    let at = 0;
    while (at + 4 <= bytes.length) {
      const length = bytes.readUInt32LE(at);
      if (at + 4 + length > bytes.length) break;
      rows.push(...codec.unpack(bytes.subarray(at + 4, at + 4 + length)));
      at += 4 + length;
    }
    rest = bytes.subarray(at);
    if (rows.length > 0) yield rows;
  }
  if (rest.length > 0) throw new Error(`replay's sort on disk found ${file} cut short`);
}

/** A binary min-heap of rows (by time, then file order) with the chunk each came from. */
class RowHeap {
  private readonly rows: StreamRow[] = [];
  private readonly sources: number[] = [];

  get size(): number {
    return this.rows.length;
  }

  push(row: StreamRow, source: number): void {
    let at = this.rows.length;
    this.rows.push(row);
    this.sources.push(source);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (compareRows(this.rows[parent]!, row) <= 0) break;
      this.rows[at] = this.rows[parent]!;
      this.sources[at] = this.sources[parent]!;
      at = parent;
    }
    this.rows[at] = row;
    this.sources[at] = source;
  }

  pop(): { row: StreamRow; source: number } {
    const top = { row: this.rows[0]!, source: this.sources[0]! };
    const lastRow = this.rows.pop()!;
    const lastSource = this.sources.pop()!;
    const n = this.rows.length;
    if (n > 0) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && compareRows(this.rows[right]!, this.rows[left]!) < 0 ? right : left;
        if (compareRows(lastRow, this.rows[child]!) <= 0) break;
        this.rows[at] = this.rows[child]!;
        this.sources[at] = this.sources[child]!;
        at = child;
      }
      this.rows[at] = lastRow;
      this.sources[at] = lastSource;
    }
    return top;
  }
}
