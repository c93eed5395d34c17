/** Shared helpers for the emulator tests: start an emulator, call it over real HTTP. */
import { afterEach } from 'vitest';
import { startGraphEmulator, type EmulatorOptions, type RunningEmulator } from '../../dev/emulator/server';
import { syntheticGroup } from '../../dev/emulator/syntheticTenant';
import type { GraphGroup } from '../../src/model';

export const TOKEN = 'emulator-token';

const running: RunningEmulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** Starts an emulator that is closed after the current test. */
export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const started = await startGraphEmulator(options);
  running.push(started);
  return started;
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${TOKEN}`, ...extra };
}

/** GET with the emulator token; `path` is relative to the emulator URL (e.g. "/beta/groups"). */
export async function get(em: RunningEmulator, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${em.url}${path}`, { headers: authHeaders(headers) });
}

export async function getJson<T = Record<string, unknown>>(em: RunningEmulator, path: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await get(em, path, headers);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function send(em: RunningEmulator, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${em.url}${path}`, {
    method,
    headers: authHeaders(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Turns an absolute Graph link (https://graph.microsoft.com/beta/...) into a path on the emulator. */
export function onEmulator(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

export interface GraphPage {
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  '@odata.count'?: number;
  value: Record<string, unknown>[];
}

/** Follows nextLinks from `path` and returns every page. */
export async function allPages(em: RunningEmulator, path: string): Promise<GraphPage[]> {
  const pages: GraphPage[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const page: GraphPage = await getJson<GraphPage>(em, next);
    pages.push(page);
    next = page['@odata.nextLink'] ? onEmulator(page['@odata.nextLink']) : undefined;
  }
  return pages;
}

export function ids(pages: GraphPage[]): string[] {
  return pages.flatMap((page) => page.value.map((item) => String(item.id)));
}

/** The synthetic tenant's group generator, counting how many groups it built (a lazy tenant builds few). */
export function countingGenerator(): { generate: (seed: number, index: number) => GraphGroup; generated(): number } {
  let generated = 0;
  return {
    generate: (seed, index) => {
      generated += 1;
      return syntheticGroup(seed, index);
    },
    generated: () => generated,
  };
}
