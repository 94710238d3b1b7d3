/**
 * Throws RangeError unless `milliseconds` is a positive finite number of milliseconds.
 * @returns `milliseconds`
 */
export function checkMilliseconds(milliseconds: number, name: string): number {
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds`);
  }
  return milliseconds;
}

/** Stops a Node timer from keeping the process alive; nothing in browsers. */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

/**
 * Settles like `work`, unless `milliseconds` pass first: then `onTimeout` runs (it should abort the work) and
 * the result rejects with `error`. A later rejection of `work` is ignored.
 */
export function withDeadline<T>(work: Promise<T>, milliseconds: number, onTimeout: () => void, error: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(error);
    }, milliseconds);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (reason: unknown) => {
        clearTimeout(timer);
        reject(reason);
      },
    );
  });
}
