/**
 * infra/ compiles and lints clean with the real Bicep CLI (pinned in scripts/bicep/bicep-cli.proj).
 * Any error or warning fails; infra/bicepconfig.json raises the rules that matter to errors.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, MAIN_BICEP, compileMainTemplate, describeDiagnostics, findBicepCli, requireBicep, runBicep, skipWithoutBicep } from './bicepCli';

const INFRA = join(REPO_ROOT, 'infra');

function bicepFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return bicepFiles(path);
    return name.endsWith('.bicep') ? [path] : [];
  });
}

function pinnedVersion(): string {
  const project = readFileSync(join(REPO_ROOT, 'scripts', 'bicep', 'bicep-cli.proj'), 'utf8');
  return /<BicepCliVersion>([^<]+)<\/BicepCliVersion>/.exec(project)![1]!;
}

const lookup = findBicepCli();
const skip = skipWithoutBicep(lookup, 'Bicep compile and lint tests');

describe.skipIf(skip)('Bicep CLI on infra/', () => {
  it('is the pinned version unless BICEP_PATH or PATH provides another', () => {
    const run = runBicep(requireBicep(lookup), ['--version']);
    expect(run.status).toBe(0);
    if (!process.env.BICEP_PATH && lookup.path?.includes(join('.nuget', 'packages'))) {
      expect(run.stdout).toContain(`Bicep CLI version ${pinnedVersion()} `);
    }
  });

  it('builds infra/main.bicep to an ARM template with no error or warning', () => {
    const { template, run } = compileMainTemplate(requireBicep(lookup));
    expect(describeDiagnostics(run.diagnostics)).toBe('');
    expect(run.stderr.trim()).toBe('');
    expect(String(template.$schema)).toContain('subscriptionDeploymentTemplate.json');
  });

  it('lints with infra/bicepconfig.json, which turns the rules that matter into errors', () => {
    // A file that breaks four of them, linted next to a copy of the config: each must come back as an Error.
    const dir = mkdtempSync(join(tmpdir(), 'wbw-lint-'));
    try {
      copyFileSync(join(INFRA, 'bicepconfig.json'), join(dir, 'bicepconfig.json'));
      const probe = join(dir, 'probe.bicep');
      writeFileSync(
        probe,
        [
          'param unusedSetting string',
          '@secure()',
          "param webhookSecret string = 'not-empty'",
          'output endpoint string = webhookSecret',
          "output portal string = 'https://management.azure.com/'",
          '',
        ].join('\n'),
      );
      const run = runBicep(requireBicep(lookup), ['lint', probe]);
      const errors = new Set(run.diagnostics.filter((d) => d.level === 'Error').map((d) => d.code));
      expect([...errors]).toEqual(
        expect.arrayContaining(['no-unused-params', 'secure-parameter-default', 'outputs-should-not-contain-secrets', 'no-hardcoded-env-urls']),
      );
      expect(run.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lints main.bicep and every module it uses with no error or warning', () => {
    // `bicep lint main.bicep` reports the diagnostics of every module it references.
    const run = runBicep(requireBicep(lookup), ['lint', MAIN_BICEP]);
    expect(describeDiagnostics(run.diagnostics.filter((d) => d.level !== 'Info'))).toBe('');
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it('keeps every .bicep file in `bicep format` layout', () => {
    const unformatted = bicepFiles(INFRA).filter((file) => {
      const run = runBicep(requireBicep(lookup), ['format', file, '--stdout']);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout !== readFileSync(file, 'utf8');
    });
    expect(unformatted.map((f) => relative(REPO_ROOT, f)), 'run: bicep format <file>').toEqual([]);
    // One Bicep CLI start per file, several seconds each on a busy machine.
  }, 240_000);

  it('has no .bicep file under infra/ that main.bicep does not use (so none escapes the lint)', () => {
    const used = new Set<string>();
    const visit = (file: string): void => {
      if (used.has(file)) return;
      used.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*module\s+\w+\s+'([^']+\.bicep)'/gm)) {
        visit(join(dirname(file), m[1]!));
      }
    };
    visit(MAIN_BICEP);
    expect(bicepFiles(INFRA).filter((f) => !used.has(f)).map((f) => relative(REPO_ROOT, f))).toEqual([]);
  });
});
