/** The console's browser files: valid JavaScript modules, nothing inline, nothing fetched from elsewhere. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSETS, INDEX_HTML } from '../../src/console/assets';
import { CONTENT_SECURITY_POLICY } from '../../src/console/security';

describe('console assets', () => {
  it('parses every script as a module and resolves every import to a served file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbw-assets-'));
    try {
      for (const [name, asset] of ASSETS) {
        if (!name.endsWith('.js')) continue;
        const file = join(dir, name.replace(/\.js$/, '.mjs'));
        writeFileSync(file, asset.body);
        execFileSync(process.execPath, ['--check', file]);
        for (const [, target] of asset.body.matchAll(/^import .* from '\.\/([^']+)';$/gm)) {
          expect({ name, imports: target, served: ASSETS.has(target!) }).toEqual({ name, imports: target, served: true });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no inline script or style, and loads only files the app serves', () => {
    const html = INDEX_HTML.body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    for (const [, path] of html.matchAll(/(?:src|href)="(\/api\/console\/assets\/[^"]+)"/g)) {
      expect(ASSETS.has(path!.replace('/api/console/assets/', ''))).toBe(true);
    }
    for (const [name, asset] of [['index.html', INDEX_HTML] as const, ...ASSETS]) {
      const external = [...asset.body.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s'"]*/gi)].map((m) => m[0]).filter((url) => url !== 'http://www.w3.org/2000/svg');
      expect({ name, external }).toEqual({ name, external: [] });
      expect(asset.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
  });

  it('keeps the policy strict', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)|\*/);
  });
});
