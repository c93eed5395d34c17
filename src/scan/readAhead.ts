/**
 * Keeps paging while something the first page's classification needs is still being read. Paging is
 * sequential (each page names the next), so a scan that waited for the Cloud Sync context (a handful of
 * requests, ten or more for a large assignment list) before asking for page 2 would add that time to the scan.
 * Instead pages are pulled into a bounded queue until `gate` settles; the consumer then takes them in order.
 */

/**
 * An iterator over `source` that, while `gate` is pending, requests up to `limit` items ahead of the consumer.
 * Items come out in source order; an error comes out where it happened. Once `gate` settles, no more are
 * requested ahead than the consumer asks for.
 */
export function readAheadUntil<T>(source: AsyncIterator<T>, gate: Promise<unknown>, limit: number): AsyncIterator<T> {
  const queue: Promise<IteratorResult<T>>[] = [];
  let gateOpen = true;
  let ended = false;
  void gate.then(
    () => (gateOpen = false),
    () => (gateOpen = false),
  );
  const pull = (): Promise<IteratorResult<T>> => {
    const next = source.next();
    next.then(
      (result) => {
        if (result.done) ended = true;
        else if (gateOpen && !ended && queue.length < limit) queue.push(pull());
      },
      () => (ended = true),
    );
    next.catch(() => undefined); // the consumer meets the error when it reaches this item
    return next;
  };
  return {
    next(): Promise<IteratorResult<T>> {
      const queued = queue.shift();
      if (queued) return queued;
      const next = pull();
      return next;
    },
  };
}
