/**
 * The Bicep CLI for the infra tests: found by scripts/find-bicep.mjs (BICEP_PATH, PATH, or the pinned
 * NuGet package, restored with dotnet). Where neither a Bicep CLI nor a .NET SDK exists the tests are
 * skipped, except under CI=true, where a missing CLI is a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const MAIN_BICEP = join(REPO_ROOT, 'infra', 'main.bicep');

export type BicepLookup = { readonly path: string } | { readonly path: null; readonly reason: string };

/** Exit code 2 of find-bicep.mjs means "nothing to run and nothing to restore with". */
const NOT_AVAILABLE = 2;

export function findBicepCli(): BicepLookup {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'find-bicep.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status === 0) return { path: result.stdout.trim() };
  const reason = (result.stderr || result.error?.message || `exit ${result.status}`).trim();
  if (result.status === NOT_AVAILABLE) return { path: null, reason };
  throw new Error(`scripts/find-bicep.mjs failed: ${reason}`);
}

/** True when the infra tests must be skipped (and says why, on one line). */
export function skipWithoutBicep(lookup: BicepLookup, suite: string): boolean {
  if (lookup.path !== null || process.env.CI === 'true') return false;
  console.warn(`${suite} skipped: ${lookup.reason}`);
  return true;
}

/** The CLI's path, or the failure CI must report. */
export function requireBicep(lookup: BicepLookup): string {
  if (lookup.path === null) throw new Error(`CI=true but no Bicep CLI is available: ${lookup.reason}`);
  return lookup.path;
}

export interface BicepDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: 'Error' | 'Warning' | 'Info';
  readonly code: string;
  readonly message: string;
}

export interface BicepRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly diagnostics: readonly BicepDiagnostic[];
}

// e.g. /work/main/infra/main.bicep(207,25) : Error what-if-short-circuiting: Parameter 'x' is ...
const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([\w-]+): (.*)$/;

export function parseDiagnostics(output: string): BicepDiagnostic[] {
  const found: BicepDiagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = DIAGNOSTIC.exec(line.trim());
    if (!m) continue;
    found.push({
      file: m[1]!,
      line: Number(m[2]),
      column: Number(m[3]),
      level: m[4] as BicepDiagnostic['level'],
      code: m[5]!,
      message: m[6]!,
    });
  }
  return found;
}

export function runBicep(cli: string, args: readonly string[]): BicepRun {
  const result = spawnSync(cli, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    diagnostics: parseDiagnostics(`${result.stdout}\n${result.stderr}`),
  };
}

/** Errors and warnings, one per line, for an assertion message. */
export function describeDiagnostics(diagnostics: readonly BicepDiagnostic[]): string {
  return diagnostics.map((d) => `${d.file}(${d.line},${d.column}) ${d.level} ${d.code}: ${d.message}`).join('\n');
}

export type ArmTemplate = Record<string, unknown>;

/** Compiles infra/main.bicep to ARM JSON in a temporary folder and returns it with the build's output. */
export function compileMainTemplate(cli: string): { template: ArmTemplate; run: BicepRun } {
  const dir = mkdtempSync(join(tmpdir(), 'wbw-bicep-'));
  try {
    const outfile = join(dir, 'main.json');
    const run = runBicep(cli, ['build', MAIN_BICEP, '--outfile', outfile]);
    if (run.status !== 0) {
      throw new Error(`bicep build failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
    }
    return { template: JSON.parse(readFileSync(outfile, 'utf8')) as ArmTemplate, run };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
