/**
 * scripts/grant-graph-permissions.sh and .ps1 against a Graph stand-in on a loopback HTTP server that keeps
 * service principals and app role assignments the way Graph v1.0 does (paged lists, 404s, duplicate
 * assignment errors). The role ids are random per run, so only a lookup by name can find them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './bicepCli';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const TOKEN = 'token-for-the-loopback-graph';

interface AppRole { id: string; value: string; allowedMemberTypes: string[] }
interface ServicePrincipal { id: string; appId: string; displayName: string; servicePrincipalType: string; appRoles: AppRole[] }
interface Assignment { id: string; principalId: string; resourceId: string; appRoleId: string }

class LoopbackGraph {
  readonly servicePrincipals: ServicePrincipal[] = [];
  readonly assignments: Assignment[] = [];
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  private server: Server | undefined;
  url = '';

  reset(): void {
    const role = (value: string, memberTypes = ['Application']): AppRole => ({ id: randomUUID(), value, allowedMemberTypes: memberTypes });
    this.servicePrincipals.length = 0;
    this.assignments.length = 0;
    this.requests.length = 0;
    this.servicePrincipals.push(
      {
        id: randomUUID(),
        appId: GRAPH_APP_ID,
        displayName: 'Microsoft Graph',
        servicePrincipalType: 'Application',
        appRoles: [
          role('User.Read.All'),
          role('Group.Read.All'),
          role('Directory.Read.All'),
          role('OnPremDirectorySynchronization.Read.All'),
          role('Synchronization.Read.All'),
          role('Application.Read.All'),
          role('Mail.Send'),
          role('Group.ReadWrite.All'),
        ],
      },
      { id: randomUUID(), appId: randomUUID(), displayName: 'id-api-wbw', servicePrincipalType: 'ManagedIdentity', appRoles: [] },
      { id: randomUUID(), appId: randomUUID(), displayName: 'twin', servicePrincipalType: 'ManagedIdentity', appRoles: [] },
      { id: randomUUID(), appId: randomUUID(), displayName: 'twin', servicePrincipalType: 'ManagedIdentity', appRoles: [] },
    );
  }

  get graph(): ServicePrincipal {
    return this.servicePrincipals[0]!;
  }

  get identity(): ServicePrincipal {
    return this.servicePrincipals[1]!;
  }

  roleId(value: string): string {
    return this.graph.appRoles.find((r) => r.value === value)!.id;
  }

  grantedTo(principalId: string): string[] {
    return this.assignments
      .filter((a) => a.principalId === principalId)
      .map((a) => this.graph.appRoles.find((r) => r.id === a.appRoleId)!.value)
      .sort();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization });
    const send = (status: number, body?: unknown): void => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string): void => send(status, { error: { code, message } });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return error(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'v1.0' || parts[1] !== 'servicePrincipals') return error(404, 'NotFound', url.pathname);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => resolve(text));
    });

    if (parts.length === 2 && req.method === 'GET') {
      // Only the two filters the script uses: appId eq '…' and displayName eq '…'.
      const m = /^(appId|displayName) eq '((?:[^']|'')*)'$/.exec(url.searchParams.get('$filter') ?? '');
      if (!m) return error(400, 'BadRequest', 'unsupported filter');
      const value = m[2]!.replace(/''/g, "'");
      const key = m[1] as 'appId' | 'displayName';
      return send(200, { value: this.servicePrincipals.filter((sp) => sp[key] === value) });
    }
    const sp = this.servicePrincipals.find((s) => s.id === parts[2]);
    if (!sp) return error(404, 'Request_ResourceNotFound', `Resource '${parts[2]}' does not exist.`);
    if (parts.length === 3 && req.method === 'GET') return send(200, sp);
    if (parts[3] !== 'appRoleAssignments') return error(404, 'NotFound', url.pathname);

    const mine = this.assignments.filter((a) => a.principalId === sp.id);
    if (parts.length === 4 && req.method === 'GET') {
      // One assignment per page, so the script must follow @odata.nextLink.
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const page: Record<string, unknown> = { value: mine.slice(skip, skip + 1) };
      if (skip + 1 < mine.length) page['@odata.nextLink'] = `${this.url}${url.pathname}?$skiptoken=${skip + 1}`;
      return send(200, page);
    }
    if (parts.length === 4 && req.method === 'POST') {
      const input = JSON.parse(body) as Partial<Assignment>;
      if (input.principalId !== sp.id || input.resourceId !== this.graph.id || !this.graph.appRoles.some((r) => r.id === input.appRoleId)) {
        return error(400, 'Request_BadRequest', 'Invalid app role assignment.');
      }
      if (mine.some((a) => a.appRoleId === input.appRoleId && a.resourceId === input.resourceId)) {
        return error(400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
      }
      const created: Assignment = { id: randomUUID(), principalId: sp.id, resourceId: input.resourceId!, appRoleId: input.appRoleId! };
      this.assignments.push(created);
      return send(201, created);
    }
    if (parts.length === 5 && req.method === 'DELETE') {
      const index = this.assignments.findIndex((a) => a.id === parts[4] && a.principalId === sp.id);
      if (index < 0) return error(404, 'Request_ResourceNotFound', 'no such assignment');
      this.assignments.splice(index, 1);
      return send(204);
    }
    return error(405, 'MethodNotAllowed', `${req.method} ${url.pathname}`);
  }
}

interface GrantOptions {
  principalId?: string;
  identityName?: string;
  cloudSync?: boolean;
  /** The option earlier versions had; now refused with the reason. */
  onPremSync?: boolean;
  mailSend?: boolean;
  remove?: boolean;
}

interface ScriptRunner {
  readonly name: string;
  /** Why it cannot run here, or null. */
  readonly unavailable: string | null;
  command(options: GrantOptions): { file: string; args: string[]; env: Record<string, string> };
}

function onPath(tool: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      if (dir && statSync(join(dir, tool)).isFile()) return join(dir, tool);
    } catch {
      // not here
    }
  }
  return null;
}

const PWSH_VERSION = '7.6.9';
const PWSH_TOOL_DIR = join(REPO_ROOT, '.tools', 'pwsh');

/** pwsh on PATH, else the PowerShell .NET tool in .tools/pwsh, installed there when dotnet exists. */
function findPwsh(): { path: string } | { path: null; reason: string } {
  const fromPath = onPath('pwsh');
  if (fromPath) return { path: fromPath };
  const local = join(PWSH_TOOL_DIR, 'pwsh');
  if (existsSync(local)) return { path: local };
  if (!onPath('dotnet')) return { path: null, reason: 'no pwsh on PATH and no .NET SDK to install the PowerShell tool' };
  const install = spawnSync('dotnet', ['tool', 'install', 'PowerShell', '--version', PWSH_VERSION, '--tool-path', PWSH_TOOL_DIR], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (install.status !== 0 || !existsSync(local)) throw new Error(`dotnet tool install PowerShell failed:\n${install.stdout}${install.stderr}`);
  return { path: local };
}

const bashMissing = ['bash', 'curl', 'jq'].find((tool) => onPath(tool) === null);
const pwsh = findPwsh();

const RUNNERS: ScriptRunner[] = [
  {
    name: 'scripts/grant-graph-permissions.sh (az CLI, curl, jq)',
    unavailable: bashMissing ? `${bashMissing} is not installed` : null,
    command: (o) => ({
      file: 'bash',
      args: [
        join(REPO_ROOT, 'scripts', 'grant-graph-permissions.sh'),
        ...(o.principalId ? ['--principal-id', o.principalId] : []),
        ...(o.identityName ? ['--identity-name', o.identityName] : []),
        ...(o.cloudSync ? ['--with-cloud-sync'] : []),
        ...(o.onPremSync ? ['--with-onprem-sync'] : []),
        ...(o.mailSend ? ['--with-mail-send'] : []),
        ...(o.remove ? ['--remove'] : []),
      ],
      env: {},
    }),
  },
  {
    name: 'scripts/grant-graph-permissions.ps1 (Microsoft Graph PowerShell)',
    unavailable: pwsh.path === null ? pwsh.reason : null,
    command: (o) => ({
      file: pwsh.path ?? 'pwsh',
      args: [
        '-NoLogo',
        '-NoProfile',
        '-NonInteractive',
        '-File',
        join(REPO_ROOT, 'scripts', 'grant-graph-permissions.ps1'),
        ...(o.principalId ? ['-PrincipalId', o.principalId] : []),
        ...(o.identityName ? ['-IdentityName', o.identityName] : []),
        ...(o.cloudSync ? ['-IncludeCloudSync'] : []),
        ...(o.onPremSync ? ['-IncludeOnPremSync'] : []),
        ...(o.mailSend ? ['-IncludeMailSend'] : []),
        ...(o.remove ? ['-Remove'] : []),
      ],
      // The Graph PowerShell cmdlets, as REST calls to the loopback Graph (see the module's header).
      env: { PSModulePath: join(__dirname, 'pwsh-modules'), HOME: process.env.HOME ?? '/tmp', DOTNET_CLI_TELEMETRY_OPTOUT: '1', POWERSHELL_TELEMETRY_OPTOUT: '1' },
    }),
  },
];

for (const runner of RUNNERS) {
  if (runner.unavailable) console.warn(`${runner.name} tests skipped: ${runner.unavailable}`);
}

describe.each(RUNNERS)('$name', (runner) => {
  const graph = new LoopbackGraph();
  beforeAll(() => graph.start());
  afterAll(() => graph.stop());
  beforeEach(() => graph.reset());

  const run = (options: GrantOptions): Promise<{ code: number; stdout: string; stderr: string }> => {
    const { file, args, env } = runner.command(options);
    return new Promise((resolve) => {
      execFile(
        file,
        args,
        { env: { PATH: process.env.PATH ?? '', GRAPH_BASE_URL: graph.url, GRAPH_TOKEN: TOKEN, ...env }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it.skipIf(runner.unavailable !== null)('grants Group.Read.All and Directory.Read.All, looked up by name on Microsoft Graph', async () => {
    const result = await run({ principalId: graph.identity.id });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(graph.grantedTo(graph.identity.id)).toEqual(['Directory.Read.All', 'Group.Read.All']);
    expect(result.stdout).toMatch(/granted\s+Group\.Read\.All/);
    expect(result.stdout).toMatch(/granted\s+Directory\.Read\.All/);
    expect(result.stdout).toContain(`Managed identity: id-api-wbw (${graph.identity.id}, ManagedIdentity)`);
    expect(graph.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it.skipIf(runner.unavailable !== null)('skips what is already granted, so a second run changes nothing', async () => {
    await run({ principalId: graph.identity.id });
    graph.requests.length = 0;
    const again = await run({ principalId: graph.identity.id });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already granted\s+Group\.Read\.All/);
    expect(again.stdout).toMatch(/already granted\s+Directory\.Read\.All/);
    expect(graph.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(graph.grantedTo(graph.identity.id)).toEqual(['Directory.Read.All', 'Group.Read.All']);
  });

  it.skipIf(runner.unavailable !== null)('adds the optional permissions on request, finding the identity by name', async () => {
    const result = await run({ identityName: 'id-api-wbw', cloudSync: true, mailSend: true });
    expect(result.code).toBe(0);
    expect(graph.grantedTo(graph.identity.id)).toEqual(['Application.Read.All', 'Directory.Read.All', 'Group.Read.All', 'Mail.Send', 'Synchronization.Read.All']);
    // Assignments go to the Graph permissions with those names, whatever their ids are.
    expect(graph.assignments.map((a) => a.appRoleId)).toContain(graph.roleId('Mail.Send'));
  });

  it.skipIf(runner.unavailable !== null)('reports optional permissions granted earlier but not asked for now, and leaves them', async () => {
    await run({ principalId: graph.identity.id, mailSend: true });
    const result = await run({ principalId: graph.identity.id });
    expect(result.stdout).toMatch(/left in place\s+Mail\.Send/);
    expect(graph.grantedTo(graph.identity.id)).toContain('Mail.Send');
  });

  it.skipIf(runner.unavailable !== null)('refuses the feature-flag permission, which no application can use, saying why and changing nothing', async () => {
    const result = await run({ principalId: graph.identity.id, onPremSync: true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/does not accept application permissions/);
    expect(result.stderr).toMatch(/delegated only/);
    expect(graph.assignments).toEqual([]);
  });

  it.skipIf(runner.unavailable !== null)('reports a feature-flag permission an earlier version granted, which -Remove takes away', async () => {
    graph.assignments.push({ id: randomUUID(), principalId: graph.identity.id, resourceId: graph.graph.id, appRoleId: graph.roleId('OnPremDirectorySynchronization.Read.All') });
    const result = await run({ principalId: graph.identity.id });
    expect(result.stdout).toMatch(/left in place\s+OnPremDirectorySynchronization\.Read\.All \(granted earlier; it reads nothing app-only/);
    await run({ principalId: graph.identity.id, remove: true });
    expect(graph.grantedTo(graph.identity.id)).toEqual([]);
  });

  it.skipIf(runner.unavailable !== null)('removes everything it grants with -Remove, across paged assignment lists', async () => {
    await run({ principalId: graph.identity.id, cloudSync: true, mailSend: true });
    // An assignment to another API stays: the script only touches Microsoft Graph's permissions.
    graph.assignments.push({ id: randomUUID(), principalId: graph.identity.id, resourceId: randomUUID(), appRoleId: randomUUID() });
    const result = await run({ principalId: graph.identity.id, remove: true });
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^removed\s+/gm)).toHaveLength(5);
    expect(graph.assignments.filter((a) => a.resourceId === graph.graph.id)).toEqual([]);
    expect(graph.assignments).toHaveLength(1);
    const again = await run({ principalId: graph.identity.id, remove: true });
    expect(again.stdout.match(/^not granted\s+/gm)).toHaveLength(6);
  });

  it.skipIf(runner.unavailable !== null)('fails with a clear message for an unknown or ambiguous identity, changing nothing', async () => {
    const unknown = await run({ identityName: 'nobody' });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no service principal named 'nobody'/i);
    const twin = await run({ identityName: 'twin' });
    expect(twin.code).not.toBe(0);
    expect(twin.stderr).toMatch(/pass -+principal-?id/i);
    const missingId = await run({ principalId: randomUUID() });
    expect(missingId.code).not.toBe(0);
    expect(missingId.stderr).toMatch(/Resource .*does not exist/);
    expect(graph.assignments).toEqual([]);
  });
});
