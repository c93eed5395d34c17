/**
 * The deployment package, built the way azd builds it and then built again the way Flex Consumption's remote
 * build does. azd zips the project folder (after its local `npm install` and `npm run build`) filtered by
 * .funcignore with gitignore rules, always leaving out `.azure/`, the ignore file itself and
 * local.settings.json. The server then runs `npm install` and `npm run build` in a folder holding only that
 * package, and the worker loads the files `main` names. Here the worker is a stand-in for
 * `@azure/functions-core` that records what registers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ignore from 'ignore';
import { HTTP_ROUTES, TIMERS } from '../../functions/routes';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
/** What azd leaves out whatever the ignore file says (azure-dev pkg/project/project_utils.go). */
const ALWAYS_EXCLUDED = ['.azure/', '.funcignore', 'local.settings.json'];

/** Every file azd would zip, as forward-slash paths relative to the project folder. */
function packageFiles(root: string): string[] {
  const rules = ignore().add(readFileSync(join(root, '.funcignore'), 'utf8')).add(ALWAYS_EXCLUDED);
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        // As in git, nothing below an excluded folder can come back.
        if (!rules.ignores(`${path}/`)) walk(path);
      } else if (!rules.ignores(path)) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort();
}

const STAND_IN = `
const registrations = [];
process.on('exit', () => process.stdout.write(JSON.stringify(registrations)));
module.exports = {
  version: '4.0.0-stand-in',
  hostVersion: '4.1000.0-stand-in',
  setProgrammingModel() {},
  getProgrammingModel() { return undefined; },
  registerHook() { return { dispose() {} }; },
  log() {},
  registerFunction(metadata, handler) {
    const trigger = Object.values(metadata.bindings).find((b) => b.direction === 'in' && /Trigger$/.test(b.type));
    registrations.push({ name: metadata.name, handler: typeof handler, trigger });
    return { dispose() {} };
  },
};`;

interface Registration {
  name: string;
  handler: string;
  trigger: { type: string; route?: string; methods?: string[]; authLevel?: string; schedule?: string };
}

let files: string[];
let serverFolder: string;

beforeAll(async () => {
  files = packageFiles(ROOT);
  serverFolder = mkdtempSync(join(tmpdir(), 'wbw-package-'));
  for (const file of files) {
    mkdirSync(dirname(join(serverFolder, file)), { recursive: true });
    cpSync(join(ROOT, file), join(serverFolder, file));
  }
  // The server's steps (Oryx's Node build): install with development dependencies, then the build script.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: serverFolder, maxBuffer: 16 << 20 });
  await run('npm', ['run', 'build'], { cwd: serverFolder, maxBuffer: 16 << 20 });
}, 300_000);

describe('the deployment package', () => {
  it('holds the product sources, the build configuration and nothing else', () => {
    for (const needed of ['package.json', 'package-lock.json', 'host.json', 'tsconfig.json', 'functions/routes.ts', 'src/app/services.ts']) {
      expect(files).toContain(needed);
    }
    const unexpected = files.filter(
      (f) =>
        /^(test|bench|dev|docs|infra|scripts|out|coverage|dist|\.ci|\.local|\.tools)\//.test(f) ||
        /(^|\/)node_modules\//.test(f) ||
        /(^|\/)local\.settings(\.sample)?\.json$/.test(f) ||
        /\.(test|spec)\.ts$/.test(f) ||
        /^(vitest\.config\.mts|tsconfig\.dev\.json)$/.test(f),
    );
    expect(unexpected).toEqual([]);
    expect(files.every((f) => /^(src|functions)\/.+\.ts$/.test(f) || !f.includes('/'))).toBe(true);
  });

  it('the product never imports the development harness', () => {
    const offending = files.filter((f) => f.endsWith('.ts') && /from '(\.\.\/)+(dev|test|bench)\//.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('builds on the server and registers every route and both timers with the worker', async () => {
    const manifest = JSON.parse(readFileSync(join(serverFolder, 'package.json'), 'utf8')) as { main: string };
    expect(manifest.main).toBe('dist/functions/*.js');
    const triggerFiles = readdirSync(join(serverFolder, 'dist', 'functions')).filter((f) => f.endsWith('.js'));
    expect(triggerFiles.length).toBeGreaterThan(0);

    const core = join(serverFolder, 'node_modules', '@azure', 'functions-core');
    mkdirSync(core, { recursive: true });
    writeFileSync(join(core, 'package.json'), JSON.stringify({ name: '@azure/functions-core', version: '4.0.0', main: 'index.js' }));
    writeFileSync(join(core, 'index.js'), STAND_IN);
    const load = triggerFiles.map((f) => `require(${JSON.stringify(join(serverFolder, 'dist', 'functions', f))});`).join('\n');
    const { stdout } = await run(process.execPath, ['-e', load], { cwd: serverFolder, env: { PATH: process.env.PATH ?? '' } });
    const registered = JSON.parse(stdout) as Registration[];

    const http = registered.filter((r) => r.trigger.type === 'httpTrigger');
    const timers = registered.filter((r) => r.trigger.type === 'timerTrigger');
    expect(http.map((r) => ({ name: r.name, route: r.trigger.route, methods: r.trigger.methods, authLevel: r.trigger.authLevel })).sort(byName)).toEqual(
      HTTP_ROUTES.map((r) => ({ name: r.name, route: r.route, methods: [...r.methods], authLevel: r.authLevel })).sort(byName),
    );
    expect(timers.map((r) => ({ name: r.name, schedule: r.trigger.schedule })).sort(byName)).toEqual(TIMERS.map((t) => ({ name: t.name, schedule: t.schedule })).sort(byName));
    expect(timers.map((t) => t.name).sort()).toEqual(['resumeTimer', 'scanTimer']);
    expect(registered.every((r) => r.handler === 'function')).toBe(true);
  }, 60_000);
});

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
