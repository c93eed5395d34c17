/**
 * At most `size` tasks at once, first come first served. Each task starts in a turn of the event loop of its own,
 * so that building and sending transactions does not hold up the arrival of the next Graph page in one long stretch.
 */
export class Slots {
  private readonly waiting: Array<() => void> = [];
  running = 0;

  constructor(readonly size: number) {}

  /** Resolves when a slot is free; `release` gives it back. */
  take(): Promise<void> {
    if (this.running < this.size) {
      this.running += 1;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running += 1;
        setImmediate(resolve);
      }),
    );
  }

  release(): void {
    this.running -= 1;
    while (this.running < this.size && this.waiting.length > 0) this.waiting.shift()!();
  }
}
