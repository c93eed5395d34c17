/**
 * Easy Auth's excludedPaths (infra/app/easyauth-excluded-paths.json) against the routes functions/ really
 * registers: every function-key route stays reachable with a key, and no console route is ever excluded
 * (on an excluded path nothing guarantees that client-sent principal headers are dropped).
 *
 * How App Service matches a trailing `*` (one segment or many), and whether a bare path covers its sub-paths,
 * is not documented, so both readings are checked: a key route must be excluded even if `*` spans one segment only, and a console route must stay
 * protected even if `*` spans any number of segments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES } from '../../functions/routes';
import { isConsoleRoute } from '../../functions/_http';

const REPO_ROOT = join(__dirname, '..', '..');
const EXCLUDED = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'app', 'easyauth-excluded-paths.json'), 'utf8')) as string[];

/** `/api/scans/{scanId}/groups` → a concrete path to test patterns against. */
function samplePath(route: string): string {
  return `/api/${route.replace(/\{[^}]+\}/g, 'x1')}`;
}

/** Whether `pattern` excludes `path`; 'any depth' also reads a bare path as covering its sub-paths. */
function excludedBy(path: string, pattern: string, star: 'one segment' | 'any depth'): boolean {
  const p = path.toLowerCase();
  const bare = pattern.toLowerCase();
  if (!pattern.includes('*')) return p === bare || (star === 'any depth' && p.startsWith(`${bare}/`));
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join(star === 'one segment' ? '[^/]+' : '.+');
  return new RegExp(`^${source}$`, 'i').test(path);
}

const http = HTTP_ROUTES;

describe('Easy Auth excluded paths', () => {
  it('are well-formed: absolute, no query, a wildcard only as the last segment or a whole segment', () => {
    for (const pattern of EXCLUDED) expect(pattern, pattern).toMatch(/^\/api\/([A-Za-z0-9._-]+|\*)(\/([A-Za-z0-9._-]+|\*))*$/);
  });

  it('cover every function-key route, even if `*` matches one segment only', () => {
    const keyRoutes = http.filter((r) => r.authLevel === 'function');
    expect(keyRoutes.length).toBeGreaterThan(5);
    const uncovered = keyRoutes.filter((r) => !EXCLUDED.some((p) => excludedBy(samplePath(r.route), p, 'one segment')));
    expect(uncovered.map((r) => `${r.name}: /api/${r.route}`)).toEqual([]);
  });

  it('never cover a console route, even if `*` matches any depth; console routes take no key (Easy Auth guards them)', () => {
    for (const r of http.filter(isConsoleRoute)) {
      expect(r.authLevel, r.name).toBe('anonymous');
      for (const path of [samplePath(r.route), `${samplePath(r.route)}/`]) {
        expect(EXCLUDED.filter((p) => excludedBy(path, p, 'any depth')), path).toEqual([]);
      }
    }
    for (const path of ['/api/console', '/api/console/', '/api/console/api/approvals', '/api/console/index.html']) {
      expect(EXCLUDED.filter((p) => excludedBy(path, p, 'any depth')), path).toEqual([]);
    }
  });

  it('only console routes are anonymous: any other route is a function-key route', () => {
    expect(http.filter((r) => r.authLevel === 'anonymous' && !isConsoleRoute(r)).map((r) => r.name)).toEqual([]);
    expect(isConsoleRoute({ route: 'console' })).toBe(true);
    expect(isConsoleRoute({ route: 'console/api/me' })).toBe(true);
    expect(isConsoleRoute({ route: 'consoles' })).toBe(false);
  });

  it('match as the tests assume', () => {
    expect(excludedBy('/api/scans/x1/groups', '/api/scans/*', 'one segment')).toBe(false);
    expect(excludedBy('/api/scans/x1/groups', '/api/scans/*', 'any depth')).toBe(true);
    expect(excludedBy('/api/scans/x1/groups', '/api/scans/*/groups', 'one segment')).toBe(true);
    expect(excludedBy('/api/scans', '/api/scans', 'one segment')).toBe(true);
    expect(excludedBy('/api/scans/x1', '/api/scans', 'one segment')).toBe(false);
    expect(excludedBy('/api/scans/x1', '/api/scans', 'any depth')).toBe(true);
    expect(excludedBy('/api/scansx', '/api/scans', 'any depth')).toBe(false);
  });
});
