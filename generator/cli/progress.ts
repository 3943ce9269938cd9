/**
 * A one-line progress report for long work, on a terminal only: redrawn in place, shown once the
 * work has taken half a second (short runs stay quiet), and cleared when the work is done. When the
 * output is a file or a pipe nothing is written, so logs and reports stay clean.
 */
export interface Progress {
  /** `done` of `total` steps of the work that `label` names. */
  update(label: string, done: number, total: number): void;
  /** Removes the line (the work is done, or something else is about to be printed). */
  clear(): void;
}

export const NO_PROGRESS: Progress = { update: () => undefined, clear: () => undefined };

export interface ProgressOptions {
  /** Seam for tests: the clock, in ms. */
  now?: () => number;
  /** Quiet for this long after the first update. */
  delayMs?: number;
  /** At most one redraw per this many ms (the last step is always drawn). */
  intervalMs?: number;
}

export function terminalProgress(stream: { write(text: string): unknown; isTTY?: boolean }, options: ProgressOptions = {}): Progress {
  if (!stream.isTTY) return NO_PROGRESS;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 500;
  const intervalMs = options.intervalMs ?? 100;
  let started: number | undefined;
  let drawn = -Infinity;
  let shown = false;
  return {
    update(label, done, total) {
      const t = now();
      started ??= t;
      if (t - started < delayMs || (t - drawn < intervalMs && (done < total || total === 0))) return;
      drawn = t;
      shown = true;
      // A total of 0: work whose size is not known (reading a file), shown by its label alone.
      const count = total > 0 ? ` ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${Math.floor((done / total) * 100)}%)` : '...';
      stream.write(`\r\u001b[K${label}${count}`);
    },
    clear() {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
      started = undefined;
      drawn = -Infinity;
    },
  };
}
