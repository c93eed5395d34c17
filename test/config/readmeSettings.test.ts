import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_SPECS, type SettingSpec } from '../../src/config/settings';

describe('README settings table', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const rows = new Map(
    [...readme.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]),
  );

  it('lists exactly the settings the code reads, with the code defaults', () => {
    const specs: readonly SettingSpec[] = SETTING_SPECS;
    expect([...rows.keys()].sort()).toEqual(specs.map((s) => s.name).sort());
    for (const spec of specs) {
      const shown = spec.required ? '(required)' : spec.default === '' ? '(empty)' : `\`${spec.default}\``;
      expect({ name: spec.name, default: rows.get(spec.name) }).toEqual({ name: spec.name, default: shown });
    }
  });
});
