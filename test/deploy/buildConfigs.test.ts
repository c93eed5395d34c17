/** tsconfig.json builds the product alone (what Azure builds); tsconfig.dev.json adds the harness and benchmarks. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function compiledFiles(project: string): string[] {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = execFileSync(process.execPath, [tsc, '-p', join(ROOT, project), '--listFilesOnly'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out
    .split('\n')
    .filter((line) => line && !line.includes('node_modules'))
    .map((line) => relative(ROOT, line).replace(/\\/g, '/'));
}

describe('build configurations', () => {
  it('tsconfig.json compiles src/ and functions/ and nothing of the harness, benchmarks or tests', () => {
    const files = compiledFiles('tsconfig.json');
    expect(files).toContain('functions/routes.ts');
    expect(files).toContain('src/app/services.ts');
    expect(files.filter((f) => !/^(src|functions)\//.test(f))).toEqual([]);
  }, 60_000);

  it('tsconfig.dev.json adds the development harness and the benchmarks', () => {
    const files = compiledFiles('tsconfig.dev.json');
    for (const needed of ['dev/cli/main.ts', 'dev/emulator/server.ts', 'dev/host/functionsHost.ts', 'bench/run.ts', 'src/cli/main.ts']) expect(files).toContain(needed);
    expect(files.filter((f) => f.startsWith('test/'))).toEqual([]);
  }, 60_000);
});
