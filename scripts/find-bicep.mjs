#!/usr/bin/env node
/**
 * Prints the path of a Bicep CLI, looked for in this order:
 *   1. $BICEP_PATH (an executable file);
 *   2. `bicep` on PATH;
 *   3. the NuGet package pinned in scripts/bicep/bicep-cli.proj, under $NUGET_PACKAGES or
 *      ~/.nuget/packages, restored first with `dotnet restore` when it is missing and dotnet exists.
 *
 *   node scripts/find-bicep.mjs [--no-restore]
 *
 * Exit codes: 0 = found (path on stdout); 2 = no Bicep CLI and no .NET SDK to restore one (reason on
 * stderr); 1 = something else went wrong (for example the restore failed).
 * The restore runs once per machine: later calls find the package already in the NuGet folder.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT = join(ROOT, 'scripts', 'bicep', 'bicep-cli.proj');
const EXE = process.platform === 'win32' ? 'bicep.exe' : 'bicep';

class NotAvailable extends Error {}

/** The version pinned in the project file, so there is one place to change it. */
function pinnedVersion() {
  const match = /<BicepCliVersion>\s*([^<\s]+)\s*<\/BicepCliVersion>/.exec(readFileSync(PROJECT, 'utf8'));
  if (!match) throw new Error(`${PROJECT} has no <BicepCliVersion>`);
  return match[1];
}

/** The Bicep CLI ships one NuGet package per runtime identifier (linux-x64, osx-arm64, win-x64, …). */
function packageId() {
  const os = { linux: 'linux', darwin: 'osx', win32: 'win' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!os || !arch) throw new NotAvailable(`no Bicep CLI package for ${process.platform}-${process.arch}`);
  return `Azure.Bicep.CommandLine.${os}-${arch}`;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** NuGet extracts files with the mode the package recorded; make sure the owner may run it. */
function ensureExecutable(path) {
  if (process.platform === 'win32') return path;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    chmodSync(path, statSync(path).mode | 0o755);
  }
  return path;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isFile(candidate)) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not executable: keep looking
      }
    }
  }
  return null;
}

function restoredPath() {
  const packages = process.env.NUGET_PACKAGES || join(homedir(), '.nuget', 'packages');
  return join(packages, packageId().toLowerCase(), pinnedVersion(), 'tools', EXE);
}

/** NuGet writes .nupkg.metadata last: without it, another restore may still be extracting the package. */
function isRestored(path) {
  return existsSync(path) && existsSync(join(dirname(dirname(path)), '.nupkg.metadata'));
}

function restore() {
  // A private obj/ folder per call, so parallel callers (test files run in parallel) never share one;
  // NuGet itself extracts the package into the shared folder under a lock.
  const obj = mkdtempSync(join(tmpdir(), 'bicep-restore-'));
  const args = [
    'restore',
    PROJECT,
    '--verbosity',
    'quiet',
    `-p:BicepCliPackage=${packageId()}`,
    `-p:BaseIntermediateOutputPath=${obj}${sep}`,
    `-p:MSBuildProjectExtensionsPath=${obj}${sep}`,
  ];
  try {
    const result = spawnSync('dotnet', args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    });
    if (result.error) throw new Error(`dotnet restore could not start: ${result.error.message}`);
    if (result.status !== 0) {
      throw new Error(`dotnet ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
    }
  } finally {
    rmSync(obj, { recursive: true, force: true });
  }
}

export function findBicep({ allowRestore = true } = {}) {
  const fromEnv = process.env.BICEP_PATH;
  if (fromEnv) {
    if (!isFile(fromEnv)) throw new Error(`BICEP_PATH is ${fromEnv}, which is not a file`);
    return ensureExecutable(fromEnv);
  }
  const fromPath = onPath(EXE);
  if (fromPath) return fromPath;
  const restored = restoredPath();
  if (isRestored(restored)) return ensureExecutable(restored);
  if (!allowRestore) throw new NotAvailable(`no Bicep CLI: BICEP_PATH unset, none on PATH, none at ${restored}`);
  if (!onPath(process.platform === 'win32' ? 'dotnet.exe' : 'dotnet')) {
    throw new NotAvailable('no Bicep CLI: BICEP_PATH unset, none on PATH, and no .NET SDK (dotnet) to restore one');
  }
  restore();
  if (!isRestored(restored)) throw new Error(`dotnet restore succeeded but ${restored} does not exist`);
  return ensureExecutable(restored);
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${findBicep({ allowRestore: !process.argv.includes('--no-restore') })}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error instanceof NotAvailable ? 2 : 1;
  }
}
