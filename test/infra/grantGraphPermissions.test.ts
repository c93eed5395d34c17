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
interface ConsoleAppRole extends AppRole { displayName: string; description: string; isEnabled: boolean }
interface Application {
  id: string;
  appId: string;
  displayName: string;
  signInAudience?: string;
  identifierUris: string[];
  appRoles: ConsoleAppRole[];
  web: { redirectUris: string[]; implicitGrantSettings?: Record<string, boolean> };
  api?: { requestedAccessTokenVersion?: number };
}
interface FederatedCredential { id: string; name: string; issuer: string; subject: string; audiences: string[]; description?: string }

const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

class LoopbackGraph {
  readonly servicePrincipals: (ServicePrincipal & { appRoleAssignmentRequired?: boolean })[] = [];
  readonly assignments: Assignment[] = [];
  readonly applications: Application[] = [];
  readonly credentials = new Map<string, FederatedCredential[]>();
  /** App role assignments granted on (not to) a service principal: appRoleAssignedTo. */
  readonly assignedTo: Assignment[] = [];
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  private server: Server | undefined;
  url = '';

  reset(): void {
    const role = (value: string, memberTypes = ['Application']): AppRole => ({ id: randomUUID(), value, allowedMemberTypes: memberTypes });
    this.servicePrincipals.length = 0;
    this.assignments.length = 0;
    this.requests.length = 0;
    this.applications.length = 0;
    this.credentials.clear();
    this.assignedTo.length = 0;
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
          role('AuditLog.Read.All'),
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
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => resolve(text));
    });
    if (parts[0] === 'v1.0' && parts[1] === 'organization' && req.method === 'GET') return send(200, { value: [{ id: TENANT_ID }] });
    if (parts[0] === 'v1.0' && parts[1] === 'applications') return this.handleApplications(req.method ?? '', parts, url, body, send, error);
    if (parts[0] !== 'v1.0' || parts[1] !== 'servicePrincipals') return error(404, 'NotFound', url.pathname);
    if (parts.length === 2 && req.method === 'POST') {
      const input = JSON.parse(body) as { appId?: string; appRoleAssignmentRequired?: boolean };
      const app = this.applications.find((a) => a.appId === input.appId);
      if (!app) return error(400, 'Request_BadRequest', 'The appId of the service principal does not reference a valid application object.');
      if (this.servicePrincipals.some((sp) => sp.appId === input.appId)) return error(409, 'Request_MultipleObjectsWithSameKeyValue', 'The service principal already exists.');
      const created = { id: randomUUID(), appId: app.appId, displayName: app.displayName, servicePrincipalType: 'Application', appRoles: app.appRoles, appRoleAssignmentRequired: input.appRoleAssignmentRequired ?? false };
      this.servicePrincipals.push(created);
      return send(201, created);
    }

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
    if (parts.length === 3 && req.method === 'PATCH') {
      Object.assign(sp, JSON.parse(body) as object);
      return send(204);
    }
    if (parts[3] === 'appRoleAssignedTo') {
      const granted = this.assignedTo.filter((a) => a.resourceId === sp.id);
      if (parts.length === 4 && req.method === 'GET') return send(200, { value: granted });
      if (parts.length === 4 && req.method === 'POST') {
        const input = JSON.parse(body) as Partial<Assignment>;
        const roles = this.applications.find((a) => a.appId === sp.appId)?.appRoles ?? [];
        if (input.resourceId !== sp.id || !roles.some((r) => r.id === input.appRoleId)) return error(400, 'Request_BadRequest', 'Invalid app role assignment.');
        if (granted.some((a) => a.principalId === input.principalId && a.appRoleId === input.appRoleId)) {
          return error(400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
        }
        const created: Assignment = { id: randomUUID(), principalId: input.principalId!, resourceId: sp.id, appRoleId: input.appRoleId! };
        this.assignedTo.push(created);
        return send(201, created);
      }
    }
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

  private handleApplications(
    method: string,
    parts: string[],
    url: URL,
    body: string,
    send: (status: number, body?: unknown) => void,
    error: (status: number, code: string, message: string) => void,
  ): void {
    if (parts.length === 2 && method === 'GET') {
      const m = /^displayName eq '((?:[^']|'')*)'$/.exec(url.searchParams.get('$filter') ?? '');
      if (!m) return error(400, 'BadRequest', 'unsupported filter');
      return send(200, { value: this.applications.filter((a) => a.displayName === m[1]!.replace(/''/g, "'")) });
    }
    if (parts.length === 2 && method === 'POST') {
      const input = JSON.parse(body) as Partial<Application>;
      const created: Application = { identifierUris: [], appRoles: [], web: { redirectUris: [] }, ...input, id: randomUUID(), appId: randomUUID(), displayName: input.displayName ?? '' };
      this.applications.push(created);
      return send(201, created);
    }
    const app = this.applications.find((a) => a.id === parts[2]);
    if (!app) return error(404, 'Request_ResourceNotFound', `Resource '${parts[2]}' does not exist.`);
    if (parts.length === 3 && method === 'PATCH') {
      const input = JSON.parse(body) as Partial<Application>;
      // Graph refuses to drop an enabled app role: it must be disabled first.
      if (input.appRoles && app.appRoles.some((r) => r.isEnabled && !input.appRoles!.some((n) => n.id === r.id))) {
        return error(400, 'CannotDeleteOrUpdateEnabledEntitlement', 'Property value cannot be deleted unless it is first disabled.');
      }
      Object.assign(app, input);
      const sp = this.servicePrincipals.find((s) => s.appId === app.appId);
      if (sp) sp.appRoles = app.appRoles;
      return send(204);
    }
    if (parts[3] !== 'federatedIdentityCredentials') return error(404, 'NotFound', url.pathname);
    const credentials = this.credentials.get(app.id) ?? [];
    this.credentials.set(app.id, credentials);
    if (parts.length === 4 && method === 'GET') return send(200, { value: credentials });
    if (parts.length === 4 && method === 'POST') {
      const input = JSON.parse(body) as Omit<FederatedCredential, 'id'>;
      if (credentials.some((c) => c.name === input.name)) return error(409, 'Request_MultipleObjectsWithSameKeyValue', 'FederatedIdentityCredential with name already exists.');
      const created = { ...input, id: randomUUID() };
      credentials.push(created);
      return send(201, created);
    }
    const credential = credentials.find((c) => c.id === parts[4]);
    if (parts.length === 5 && method === 'PATCH' && credential) {
      const input = JSON.parse(body) as Partial<FederatedCredential>;
      if (input.name !== undefined && input.name !== credential.name) return error(400, 'Request_BadRequest', 'name cannot be changed');
      Object.assign(credential, input);
      return send(204);
    }
    return error(405, 'MethodNotAllowed', `${method} ${url.pathname}`);
  }
}

interface GrantOptions {
  principalId?: string;
  identityName?: string;
  cloudSync?: boolean;
  /** The option earlier versions had; now refused with the reason. */
  onPremSync?: boolean;
  auditLog?: boolean;
  mailSend?: boolean;
  remove?: boolean;
  consoleApp?: { authIdentity: string; appUrl: string; approver?: string };
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
        ...(o.auditLog ? ['--with-audit-log'] : []),
        ...(o.mailSend ? ['--with-mail-send'] : []),
        ...(o.remove ? ['--remove'] : []),
        ...(o.consoleApp
          ? ['--console-app', '--auth-identity-principal-id', o.consoleApp.authIdentity, '--app-url', o.consoleApp.appUrl, ...(o.consoleApp.approver ? ['--assign-approver', o.consoleApp.approver] : [])]
          : []),
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
        ...(o.auditLog ? ['-IncludeAuditLog'] : []),
        ...(o.mailSend ? ['-IncludeMailSend'] : []),
        ...(o.remove ? ['-Remove'] : []),
        ...(o.consoleApp
          ? ['-ConsoleApp', '-AuthIdentityPrincipalId', o.consoleApp.authIdentity, '-AppUrl', o.consoleApp.appUrl, ...(o.consoleApp.approver ? ['-AssignApprover', o.consoleApp.approver] : [])]
          : []),
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
    const result = await run({ identityName: 'id-api-wbw', cloudSync: true, auditLog: true, mailSend: true });
    expect(result.code).toBe(0);
    expect(graph.grantedTo(graph.identity.id)).toEqual(['Application.Read.All', 'AuditLog.Read.All', 'Directory.Read.All', 'Group.Read.All', 'Mail.Send', 'Synchronization.Read.All']);
    // Assignments go to the Graph permissions with those names, whatever their ids are.
    expect(graph.assignments.map((a) => a.appRoleId)).toContain(graph.roleId('Mail.Send'));
  });

  it.skipIf(runner.unavailable !== null)('reports optional permissions granted earlier but not asked for now, and leaves them', async () => {
    await run({ principalId: graph.identity.id, mailSend: true, auditLog: true });
    const result = await run({ principalId: graph.identity.id });
    expect(result.stdout).toMatch(/left in place\s+Mail\.Send/);
    expect(result.stdout).toMatch(/left in place\s+AuditLog\.Read\.All/);
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
    await run({ principalId: graph.identity.id, cloudSync: true, auditLog: true, mailSend: true });
    // An assignment to another API stays: the script only touches Microsoft Graph's permissions.
    graph.assignments.push({ id: randomUUID(), principalId: graph.identity.id, resourceId: randomUUID(), appRoleId: randomUUID() });
    const result = await run({ principalId: graph.identity.id, remove: true });
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^removed\s+/gm)).toHaveLength(6);
    expect(graph.assignments.filter((a) => a.resourceId === graph.graph.id)).toEqual([]);
    expect(graph.assignments).toHaveLength(1);
    const again = await run({ principalId: graph.identity.id, remove: true });
    expect(again.stdout.match(/^not granted\s+/gm)).toHaveLength(7);
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

  const CONSOLE = { authIdentity: '5e6f7a8b-0000-4000-8000-00000000aa01', appUrl: 'https://func-api-abc123.azurewebsites.net', approver: '5e6f7a8b-0000-4000-8000-00000000bb02' };

  it.skipIf(runner.unavailable !== null)('creates the console app registration: Reader and Approver, assignment required, Easy Auth redirect, federated credential', async () => {
    const result = await run({ principalId: graph.identity.id, consoleApp: CONSOLE });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(graph.applications).toHaveLength(1);
    const app = graph.applications[0]!;
    expect(app).toMatchObject({
      displayName: 'Writeback Watch console',
      signInAudience: 'AzureADMyOrg',
      identifierUris: [`api://${app.appId}`],
      api: { requestedAccessTokenVersion: 2 },
      web: { redirectUris: ['https://func-api-abc123.azurewebsites.net/.auth/login/aad/callback'], implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: false } },
    });
    expect(app.appRoles.map((r) => [r.value, r.allowedMemberTypes, r.isEnabled])).toEqual([
      ['Reader', ['User', 'Application'], true],
      ['Approver', ['User', 'Application'], true],
    ]);
    expect(graph.credentials.get(app.id)).toEqual([
      expect.objectContaining({ issuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`, subject: CONSOLE.authIdentity, audiences: ['api://AzureADTokenExchange'] }),
    ]);
    const sp = graph.servicePrincipals.find((s) => s.appId === app.appId);
    expect(sp?.appRoleAssignmentRequired).toBe(true);
    const approverRole = app.appRoles.find((r) => r.value === 'Approver')!.id;
    expect(graph.assignedTo).toEqual([expect.objectContaining({ principalId: CONSOLE.approver, resourceId: sp!.id, appRoleId: approverRole })]);
    expect(result.stdout).toContain(`azd env set ENTRA_CLIENT_ID ${app.appId}`);
    // The Graph permissions were granted in the same run.
    expect(graph.grantedTo(graph.identity.id)).toEqual(['Directory.Read.All', 'Group.Read.All']);
  });

  it.skipIf(runner.unavailable !== null)('updates the registration on a second run: same role ids, the new sign-in identity trusted, nothing duplicated', async () => {
    await run({ principalId: graph.identity.id, consoleApp: CONSOLE });
    const app = graph.applications[0]!;
    const roleIds = app.appRoles.map((r) => r.id);
    // Someone added a role of their own meanwhile; it must survive.
    app.appRoles.push({ id: randomUUID(), value: 'Auditor', displayName: 'Auditor', description: 'x', allowedMemberTypes: ['User'], isEnabled: true });
    const again = await run({ principalId: graph.identity.id, consoleApp: { ...CONSOLE, authIdentity: '5e6f7a8b-0000-4000-8000-00000000aa09' } });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(graph.applications).toHaveLength(1);
    expect(app.appRoles.filter((r) => r.value !== 'Auditor').map((r) => r.id).sort()).toEqual([...roleIds].sort());
    expect(app.appRoles.map((r) => r.value)).toContain('Auditor');
    expect(app.web.redirectUris).toEqual(['https://func-api-abc123.azurewebsites.net/.auth/login/aad/callback']);
    expect(graph.credentials.get(app.id)!.map((c) => c.subject)).toEqual(['5e6f7a8b-0000-4000-8000-00000000aa09']);
    expect(graph.servicePrincipals.filter((s) => s.appId === app.appId)).toHaveLength(1);
    expect(graph.assignedTo).toHaveLength(1);
    expect(again.stdout).toMatch(/already assigned Approver/);
  });
});
