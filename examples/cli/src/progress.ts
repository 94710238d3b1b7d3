import { Presets, SingleBar } from 'cli-progress';
import type { ProgressUpdate } from './command.js';

/**
 * Shows {@link ProgressUpdate}s as a cli-progress bar on standard error: one bar per task (a new task ends the
 * previous bar), without a bar while the total is unknown. Draws nothing when standard error is not a terminal
 * or when disabled (`--json`).
 */
export class ProgressDisplay {
  readonly #enabled: boolean;
  #task: string | undefined;
  #bar: SingleBar | undefined;

  constructor(enabled: boolean) {
    this.#enabled = enabled && process.stderr.isTTY === true;
  }

  update(update: ProgressUpdate): void {
    if (!this.#enabled) return;
    const payload = {
      task: update.task,
      done: formatAmount(update.value, update.unit),
      all: formatAmount(update.total, update.unit),
      detail: update.detail ?? '',
    };
    if (this.#task !== update.task || this.#bar === undefined) {
      this.stop();
      this.#task = update.task;
      const format = update.total > 0 ? '{task} |{bar}| {percentage}% {done}/{all} {detail}' : '{task} {done} {detail}';
      this.#bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 20 }, Presets.shades_classic);
      this.#bar.start(Math.max(update.total, 1), update.value, payload);
      return;
    }
    if (update.total > 0) this.#bar.setTotal(update.total);
    this.#bar.update(update.value, payload);
  }

  /** Ends the current bar (leaves it on screen). */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
    this.#task = undefined;
  }
}

function formatAmount(value: number, unit: ProgressUpdate['unit']): string {
  if (unit !== 'bytes') return `${value} ${unit}`;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let index = 0;
  while (scaled >= 1024 && index < units.length - 1) {
    scaled /= 1024;
    index++;
  }
  return `${index === 0 ? scaled : scaled.toFixed(1)} ${units[index]}`;
}
