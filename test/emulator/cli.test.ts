import { describe, expect, it } from 'vitest';
import { parseEmulatorArgs, runEmulatorCommand } from '../../dev/emulator/cli';

/** Runs the emulator command until the test aborts it; resolves once it printed the URL to point the app at. */
async function startCommand(args: string[]) {
  const lines: string[] = [];
  const controller = new AbortController();
  const running = runEmulatorCommand(args, { out: (line) => lines.push(line), signal: controller.signal });
  await expect.poll(() => lines.find((l) => l.startsWith('  GRAPH_BASE_URL='))).toBeDefined();
  const baseUrl = (lines.find((l) => l.startsWith('  GRAPH_BASE_URL=')) ?? '').split('=')[1] ?? '';
  return { lines, controller, running, baseUrl };
}

describe('emulator command line', () => {
  it('parses every option', () => {
    const { options, help } = parseEmulatorArgs([
      '--port', '0', '--groups', '5000', '--seed', '9', '--latency', '15',
      '--rate-429', '0.1', '--rate-503', '0.05', '--rate-drop', '0.01', '--rate-truncate', '0.02',
      '--retry-after', '2', '--token', 'tok', '--links', 'emulator', '--delta-page-size', '999',
    ]);
    expect(help).toBe(false);
    expect(options).toMatchObject({
      port: 0,
      groups: 5000,
      seed: 9,
      latencyMs: 15,
      token: 'tok',
      links: 'emulator',
      deltaPageSize: 999,
      faults: { rate429: 0.1, rate503: 0.05, rateDrop: 0.01, rateTruncate: 0.02, retryAfterSeconds: 2, seed: 9 },
    });
    expect(parseEmulatorArgs([]).options.groups).toBe(1000);
    // Left to the server's default page size when not given.
    expect(parseEmulatorArgs([]).options.deltaPageSize).toBeUndefined();
    expect(parseEmulatorArgs(['--fixture', 'x.json']).options).toMatchObject({ fixture: 'x.json', groups: undefined });
  });

  it('names the offending argument', () => {
    expect(() => parseEmulatorArgs(['--groups', 'many'])).toThrow(/--groups/);
    expect(() => parseEmulatorArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseEmulatorArgs(['--rate-429', '1.5'])).toThrow(/--rate-429/);
    expect(() => parseEmulatorArgs(['--rate-drop', 'abc'])).toThrow(/--rate-drop/);
    expect(() => parseEmulatorArgs(['--latency', '-1'])).toThrow(/--latency/);
    expect(() => parseEmulatorArgs(['--links', 'other'])).toThrow(/--links/);
    expect(() => parseEmulatorArgs(['--delta-page-size', '0'])).toThrow(/--delta-page-size/);
    expect(() => parseEmulatorArgs(['--delta-page-size', 'big'])).toThrow(/--delta-page-size/);
    expect(() => parseEmulatorArgs(['--bogus'])).toThrow(/--bogus/);
    expect(() => parseEmulatorArgs(['--port'])).toThrow(/--port/);
    expect(() => parseEmulatorArgs(['--rate-429', '0.6', '--rate-503', '0.6'])).toThrow(/sum/);
    expect(() => parseEmulatorArgs(['--fixture', 'x.json', '--groups', '5'])).toThrow(/--fixture and --groups/);
  });

  it('runs until stopped and prints how to point the app at it', async () => {
    const { lines, controller, running, baseUrl } = await startCommand(['--groups', '12', '--seed', '4']);
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toContain('  GRAPH_CREDENTIAL=emulator');
    const page = (await (await fetch(`${baseUrl}/beta/groups`, { headers: { Authorization: 'Bearer emulator-token' } })).json()) as { value: unknown[] };
    expect(page.value).toHaveLength(12);
    controller.abort();
    await running;
    expect(lines.at(-1)).toMatch(/stopped after 1 requests/);
    await expect(fetch(`${baseUrl}/beta/groups`)).rejects.toThrow();
  });

  it('serves delta pages of --delta-page-size items', async () => {
    const { controller, running, baseUrl } = await startCommand(['--groups', '30', '--delta-page-size', '7']);
    const page = (await (await fetch(`${baseUrl}/beta/groups/delta`, { headers: { Authorization: 'Bearer emulator-token' } })).json()) as { value: unknown[] };
    expect(page.value).toHaveLength(7);
    controller.abort();
    await running;
  });

  it('fails clearly for a missing fixture', async () => {
    await expect(runEmulatorCommand(['--fixture', '/nonexistent/tenant.json'], { out: () => undefined })).rejects.toThrow(/tenant\.json.*does not exist/);
  });
});
