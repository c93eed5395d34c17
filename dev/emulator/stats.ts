/** Counters of what the emulator served, so tests and benchmarks can check retries, pages and faults. */

export interface EmulatorStats {
  /** Every request, control routes (`/_emulator/*`) excluded. */
  requests: number;
  /** By route template, e.g. `GET /beta/groups/{id}`. */
  byRoute: Record<string, number>;
  /** By HTTP status sent; dropped connections count under "dropped" in faults only. */
  byStatus: Record<string, number>;
  faults: {
    throttled429: number;
    unavailable503: number;
    /** Other scripted statuses (500, 504, ...). */
    otherStatus: number;
    dropped: number;
    truncated: number;
    /** How many of the above came from failNext / failAlways. */
    scripted: number;
    total: number;
  };
  pages: {
    /** `GET /groups` pages served whole (200, not truncated). */
    groups: number;
    delta: number;
  };
  /** Groups (and delta removals) in those pages. */
  itemsServed: number;
}

export function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    faults: { throttled429: 0, unavailable503: 0, otherStatus: 0, dropped: 0, truncated: 0, scripted: 0, total: 0 },
    pages: { groups: 0, delta: 0 },
    itemsServed: 0,
  };
}

export class StatsRecorder {
  private stats = emptyStats();

  snapshot(): EmulatorStats {
    return JSON.parse(JSON.stringify(this.stats)) as EmulatorStats;
  }

  reset(): void {
    this.stats = emptyStats();
  }

  request(route: string): void {
    this.stats.requests++;
    this.stats.byRoute[route] = (this.stats.byRoute[route] ?? 0) + 1;
  }

  status(status: number): void {
    const key = String(status);
    this.stats.byStatus[key] = (this.stats.byStatus[key] ?? 0) + 1;
  }

  fault(kind: 'status' | 'drop' | 'truncate', status: number | null, scripted: boolean): void {
    const faults = this.stats.faults;
    if (kind === 'drop') faults.dropped++;
    else if (kind === 'truncate') faults.truncated++;
    else if (status === 429) faults.throttled429++;
    else if (status === 503) faults.unavailable503++;
    else faults.otherStatus++;
    if (scripted) faults.scripted++;
    faults.total++;
  }

  page(kind: 'groups' | 'delta', items: number): void {
    this.stats.pages[kind]++;
    this.stats.itemsServed += items;
  }
}
