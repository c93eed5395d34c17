/**
 * The one place that reads configuration. Every setting the app reads is declared in SETTING_SPECS;
 * the README settings table, local.settings.sample.json and infra/ are checked against this list by tests.
 */
import { ConfigurationError } from '../errors';
import type { WritebackEngine } from '../model';

export type SettingKind = 'string' | 'url' | 'guid' | 'int' | 'number' | 'bool' | 'enum' | 'ncrontab';

export interface SettingSpec {
  readonly name: string;
  readonly kind: SettingKind;
  /** Default as the string an app setting would hold; undefined = no default. */
  readonly default?: string;
  readonly required?: boolean;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly description: string;
  /** Only meaningful on a developer machine (never set in Azure). */
  readonly localOnly?: boolean;
  /** Holds a secret: never logged; in Azure it must be a Key Vault reference. */
  readonly secret?: boolean;
}

export const SETTING_SPECS = [
  { name: 'TENANT_ID', kind: 'guid', required: true, description: 'Directory (tenant) id of the Entra tenant to scan.' },
  { name: 'GRAPH_BASE_URL', kind: 'url', default: 'https://graph.microsoft.com', description: 'Microsoft Graph root. Point it at the emulator for local runs (http is accepted on loopback only).' },
  { name: 'GRAPH_CREDENTIAL', kind: 'enum', values: ['managedIdentity', 'default', 'emulator'], default: 'managedIdentity', description: 'How to get Graph tokens: the managed identity, DefaultAzureCredential (az login etc.), or the emulator\'s fixed token.' },
  { name: 'AZURE_CLIENT_ID', kind: 'string', default: '', description: 'Client id of the user-assigned managed identity used for Graph and Table Storage. Empty = system-assigned.' },
  { name: 'GRAPH_PAGE_SIZE', kind: 'int', default: '999', min: 1, max: 999, description: 'Groups per Graph page ($top). 999 is the Graph maximum.' },
  { name: 'GRAPH_MAX_ATTEMPTS', kind: 'int', default: '8', min: 1, max: 50, description: 'Attempts per Graph request before the scan fails (429/503/504/network errors are retried).' },
  { name: 'GRAPH_RETRY_BUDGET_SECONDS', kind: 'int', default: '600', min: 0, max: 86400, description: 'Total seconds one scan may spend waiting on Graph retries (Retry-After included) before it fails.' },
  { name: 'GRAPH_REQUEST_TIMEOUT_SECONDS', kind: 'int', default: '100', min: 1, max: 600, description: 'Seconds before one Graph request is abandoned and retried.' },
  { name: 'CLOUD_SYNC_SERVICE_PRINCIPAL_IDS', kind: 'string', default: '', description: 'Comma-separated object ids of Cloud Sync configuration service principals to read besides those found from the Cloud Sync application templates. Empty = discovery only.' },
  { name: 'MEMBER_COUNTS_ENABLED', kind: 'bool', default: 'false', description: 'Fetch member counts for written-back groups to check Entra Connect size limits (one extra request per such group).' },
  { name: 'WRITEBACK_ENGINES', kind: 'string', default: 'connectSyncV2,cloudSync', description: 'Writeback engines the tenant runs, comma-separated: connectSyncV2 or connectSyncV1 (the Entra Connect Sync group writeback version, which Graph cannot tell), cloudSync (Cloud Sync group provisioning to AD, read through Graph), or none alone.' },
  { name: 'TABLE_STORAGE_ENDPOINT', kind: 'url', default: '', description: 'Table endpoint, e.g. https://<account>.table.core.windows.net, used with the managed identity. Set this or TABLE_STORAGE_CONNECTION_STRING.' },
  { name: 'TABLE_STORAGE_CONNECTION_STRING', kind: 'string', default: '', localOnly: true, secret: true, description: 'Connection string for Azurite on a developer machine. Never used in Azure.' },
  { name: 'TABLE_PREFIX', kind: 'string', default: 'wbw', description: 'Prefix of every table the app creates (letters and digits, 1-12 characters).' },
  { name: 'SCAN_SCHEDULE', kind: 'ncrontab', default: '0 0 2 * * *', description: 'Six-field NCRONTAB schedule of the nightly scan (UTC).' },
  { name: 'SCAN_RESUME_SCHEDULE', kind: 'ncrontab', default: '0 */5 * * * *', description: 'How often a paused or interrupted scan is looked for and continued (never starts a new scan).' },
  { name: 'SCAN_TIME_BUDGET_SECONDS', kind: 'int', default: '0', min: 0, max: 86400, description: 'Seconds one invocation may scan before it checkpoints and leaves the rest to the next one. 0 = no limit.' },
  { name: 'SCAN_CHECKPOINT_PAGES', kind: 'int', default: '10', min: 1, max: 1000, description: 'Pages between checkpoints. A checkpoint trails paging by two of these intervals so that batches go out full; a crash or restart redoes at most three times this many pages.' },
  { name: 'SCAN_RESUME_MAX_AGE_HOURS', kind: 'int', default: '6', min: 1, max: 168, description: 'A running scan older than this is marked failed instead of resumed.' },
  { name: 'SCAN_LEASE_SECONDS', kind: 'int', default: '120', min: 5, max: 3600, description: 'Lease that keeps one scanner per tenant; renewed while scanning, expires when a holder crashes.' },
  { name: 'RETENTION_DAYS', kind: 'int', default: '90', min: 1, max: 3650, description: 'Complete scans older than this are deleted, with the record of who made their changes (the last complete scan and scans referenced by open alerts are kept).' },
  { name: 'DELTA_ENABLED', kind: 'bool', default: 'false', description: 'Read changes with Graph delta between full scans (a full scan still runs weekly and whenever the token is missing or expired).' },
  { name: 'DELTA_MAX_TOKEN_AGE_HOURS', kind: 'int', default: '144', min: 1, max: 168, description: 'A delta token older than this forces a full scan (Graph expires tokens after about 7 days).' },
  { name: 'FULL_SCAN_INTERVAL_DAYS', kind: 'int', default: '7', min: 1, max: 30, description: 'With delta on, a full verification scan runs at least this often.' },
  { name: 'ALERT_POLICY', kind: 'string', default: '', description: 'Alert policy as inline JSON or a path to a JSON file. Empty = built-in defaults.' },
  { name: 'ALERT_WEBHOOK_URL', kind: 'string', default: '', secret: true, description: 'Generic webhook that receives alerts as JSON. Empty = off.' },
  { name: 'ALERT_WEBHOOK_SECRET', kind: 'string', default: '', secret: true, description: 'Shared secret for the X-WritebackWatch-Signature HMAC-SHA256 header. Use a Key Vault reference in Azure.' },
  { name: 'ALERT_TEAMS_WEBHOOK_URL', kind: 'string', default: '', secret: true, description: 'Teams Workflows webhook URL for Adaptive Card alerts. Empty = off.' },
  { name: 'ALERT_EMAIL_FROM', kind: 'string', default: '', description: 'Mailbox (UPN) that sends alert email through Graph sendMail (needs Mail.Send). Empty = off.' },
  { name: 'ALERT_EMAIL_TO', kind: 'string', default: '', description: 'Comma-separated recipients of alert email.' },
  { name: 'ALERT_MISSED_SCAN_HOURS', kind: 'int', default: '26', min: 1, max: 720, description: 'Alert once when no scan completed within this many hours.' },
  { name: 'AUDIT_ATTRIBUTION_ENABLED', kind: 'bool', default: 'true', description: 'After each diff, look up who made each change in the Entra audit log (needs AuditLog.Read.All; without it the changes say "no permission").' },
  { name: 'AUDIT_MAX_PAGES', kind: 'int', default: '50', min: 1, max: 500, description: 'Most audit log requests per night (pages of the nightly query, then per-group queries); past it the rest is retried on the next run.' },
  { name: 'AUDIT_LATENCY_GRACE_MINUTES', kind: 'int', default: '30', min: 0, max: 1440, description: 'Audit events can take this long to appear: a change whose window is younger stays pending and is looked up again on the next run.' },
  { name: 'AUDIT_RETENTION_DAYS', kind: 'int', default: '30', min: 1, max: 30, description: 'Days the tenant keeps its audit log (30 on Entra ID P1/P2, 7 on Free); older windows are reported as aged out.' },
  { name: 'AUDIT_WRITEBACK_PROPERTY_PATTERNS', kind: 'string', default: 'writeback,onPremisesGroupType', description: 'Comma-separated, case-insensitive parts of an audit property name that mark a writeback change (Microsoft does not document the name).' },
  { name: 'PUBLIC_BASE_URL', kind: 'string', default: '', description: 'Base URL of this app (https://<app>.azurewebsites.net) used for links in alerts. Empty = no links.' },
  { name: 'CONSOLE_AUTH', kind: 'enum', values: ['off', 'entra', 'local'], default: 'off', description: 'Sign-in for the console routes (/api/console/...): off (console refused), entra (App Service Authentication with Microsoft Entra, set by infra/ with it), local (a developer principal on a developer machine; refused where Azure is detected).' },
  { name: 'CONSOLE_LOCAL_ROLE', kind: 'enum', values: ['Reader', 'Approver'], default: 'Reader', localOnly: true, description: 'With CONSOLE_AUTH=local: the app role the local developer principal holds (`local --as reader|approver` sets it).' },
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTING_SPECS)[number]['name'];

export interface Settings {
  readonly tenantId: string;
  readonly graph: {
    readonly baseUrl: string;
    readonly credential: 'managedIdentity' | 'default' | 'emulator';
    readonly clientId: string | null;
    readonly pageSize: number;
    readonly maxAttempts: number;
    readonly retryBudgetMs: number;
    readonly requestTimeoutMs: number;
    readonly memberCounts: boolean;
  };
  readonly tables: {
    readonly endpoint: string | null;
    readonly connectionString: string | null;
    readonly prefix: string;
  };
  readonly scan: {
    readonly schedule: string;
    readonly resumeSchedule: string;
    readonly timeBudgetMs: number;
    readonly checkpointPages: number;
    readonly resumeMaxAgeMs: number;
    readonly leaseMs: number;
    readonly retentionDays: number;
    readonly deltaEnabled: boolean;
    readonly deltaMaxTokenAgeMs: number;
    readonly fullScanIntervalMs: number;
  };
  readonly alerts: {
    readonly policy: string | null;
    readonly webhookUrl: string | null;
    readonly webhookSecret: string | null;
    readonly teamsWebhookUrl: string | null;
    readonly emailFrom: string | null;
    readonly emailTo: readonly string[];
    readonly missedScanMs: number;
  };
  readonly audit: {
    readonly enabled: boolean;
    readonly maxPages: number;
    readonly latencyGraceMs: number;
    readonly retentionDays: number;
    /** Lower-cased parts of a property name that mark a writeback change. */
    readonly writebackPropertyPatterns: readonly string[];
  };
  readonly publicBaseUrl: string | null;
  readonly cloudSync: {
    /** Service principals named by CLOUD_SYNC_SERVICE_PRINCIPAL_IDS (lower-case, no duplicates). */
    readonly servicePrincipalIds: readonly string[];
  };
  /** WRITEBACK_ENGINES in canonical order (connectSync first); empty for `none`. */
  readonly engines: readonly WritebackEngine[];
  readonly console: {
    readonly auth: 'off' | 'entra' | 'local';
    readonly localRole: 'Reader' | 'Approver';
  };
  /** What the hosting platform says about itself (read-only variables it injects, not settings anyone sets). */
  readonly platform: PlatformMarkers;
}

export interface PlatformMarkers {
  /**
   * WEBSITE_AUTH_ENABLED=true: App Service injects it when App Service Authentication is on for the app
   * (learn.microsoft.com/azure/app-service/reference-app-settings, "Authentication & authorization").
   */
  readonly appServiceAuthEnabled: boolean;
  /** Names of the App Service variables present; any one means this process runs in Azure, not on a laptop. */
  readonly azureMarkers: readonly string[];
}

/**
 * Variables App Service (Flex Consumption included) sets on every app and a developer machine does not
 * (reference-app-settings, "App environment"). They are read, never written, and are not app settings.
 */
export const AZURE_MARKERS = ['WEBSITE_SITE_NAME', 'WEBSITE_INSTANCE_ID', 'WEBSITE_HOSTNAME', 'WEBSITE_OWNER_NAME', 'WEBSITE_RESOURCE_GROUP'] as const;

/** The platform's markers in `env`; pure apart from the default argument. */
export function readPlatformMarkers(env: Env = process.env): PlatformMarkers {
  return Object.freeze({
    appServiceAuthEnabled: (env.WEBSITE_AUTH_ENABLED ?? '').trim().toLowerCase() === 'true',
    azureMarkers: Object.freeze(AZURE_MARKERS.filter((name) => (env[name] ?? '').trim() !== '')),
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || hostname.startsWith('127.');
}

type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, spec: SettingSpec): string {
  const value = env[spec.name];
  if (value === undefined || value.trim() === '') return spec.default ?? '';
  return value.trim();
}

function fail(spec: SettingSpec, value: string, expected: string): never {
  const shown = spec.secret ? '(hidden)' : JSON.stringify(value);
  throw new ConfigurationError(`Setting ${spec.name} is ${shown}, but ${expected}. ${spec.description}`, spec.name);
}

function specOf(name: SettingName): SettingSpec {
  const spec = (SETTING_SPECS as readonly SettingSpec[]).find((s) => s.name === name);
  if (!spec) throw new Error(`unknown setting ${name}`);
  return spec;
}

/** Validates one setting and returns its string form ('' when empty and optional). */
function text(env: Env, name: SettingName): string {
  const spec = specOf(name);
  const value = raw(env, spec);
  if (value === '') {
    if (spec.required) throw new ConfigurationError(`Setting ${spec.name} is missing. ${spec.description}`, spec.name);
    return '';
  }
  switch (spec.kind) {
    case 'guid':
      if (!GUID.test(value)) fail(spec, value, 'it must be a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47');
      break;
    case 'url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return fail(spec, value, 'it is not an absolute URL');
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
        fail(spec, value, 'it must use https (http is accepted only for loopback emulators)');
      }
      break;
    }
    case 'enum':
      if (!spec.values?.includes(value)) fail(spec, value, `it must be one of ${spec.values?.join(', ')}`);
      break;
    case 'ncrontab':
      if (value.split(/\s+/).length !== 6) fail(spec, value, 'it must be a six-field NCRONTAB expression ("sec min hour day month weekday"), e.g. "0 0 2 * * *"');
      break;
    default:
      break;
  }
  return value;
}

function int(env: Env, name: SettingName): number {
  const spec = specOf(name);
  const value = text(env, name);
  if (!/^-?\d+$/.test(value)) fail(spec, value, 'it must be a whole number');
  const n = Number(value);
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    fail(spec, value, `it must be between ${spec.min} and ${spec.max}`);
  }
  return n;
}

function bool(env: Env, name: SettingName): boolean {
  const value = text(env, name).toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return fail(specOf(name), value, 'it must be true or false');
}

function optionalUrl(env: Env, name: SettingName): string | null {
  const value = text(env, name);
  if (value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(specOf(name), value, 'it is not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    fail(specOf(name), value, 'it must use https (http is accepted only on loopback)');
  }
  return value;
}

/** A comma-separated list of GUIDs, lower-cased and deduplicated ('' = none). */
function guidList(env: Env, name: SettingName): string[] {
  const value = text(env, name);
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.find((item) => !GUID.test(item));
  if (bad !== undefined) fail(specOf(name), value, `${JSON.stringify(bad)} is not a GUID; list object ids like 72f988bf-86f1-41af-91ab-2d7cd011db47, separated by commas`);
  return [...new Set(items.map((item) => item.toLowerCase()))];
}

const HOUR = 3_600_000;

/** The writeback property patterns: plain text (no regular expressions), so a setting cannot match everything by accident. */
function propertyPatterns(env: Env): string[] {
  const value = text(env, 'AUDIT_WRITEBACK_PROPERTY_PATTERNS');
  const patterns = value
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  if (patterns.length === 0) fail(specOf('AUDIT_WRITEBACK_PROPERTY_PATTERNS'), value, 'it must name at least one part of a property name');
  for (const pattern of patterns) {
    if (!/^[a-z0-9._ -]{3,}$/.test(pattern)) fail(specOf('AUDIT_WRITEBACK_PROPERTY_PATTERNS'), value, `"${pattern}" must hold at least 3 letters, digits, dots, dashes or spaces`);
  }
  return patterns;
}

/** Reads and validates every setting at start-up. Throws ConfigurationError naming the first bad setting. */
export function loadSettings(env: Env = process.env): Settings {
  const endpoint = text(env, 'TABLE_STORAGE_ENDPOINT');
  const connectionString = text(env, 'TABLE_STORAGE_CONNECTION_STRING');
  if (!endpoint && !connectionString) {
    throw new ConfigurationError(
      'Table Storage is not configured: set TABLE_STORAGE_ENDPOINT (Azure, managed identity) or TABLE_STORAGE_CONNECTION_STRING (Azurite).',
      'TABLE_STORAGE_ENDPOINT',
    );
  }
  const prefix = text(env, 'TABLE_PREFIX');
  if (!/^[A-Za-z][A-Za-z0-9]{0,11}$/.test(prefix)) {
    fail(specOf('TABLE_PREFIX'), prefix, 'it must start with a letter and hold 1-12 letters or digits');
  }
  const graphBaseUrl = text(env, 'GRAPH_BASE_URL').replace(/\/+$/, '');
  const credential = text(env, 'GRAPH_CREDENTIAL') as Settings['graph']['credential'];
  if (credential === 'emulator' && !isLoopbackHost(new URL(graphBaseUrl).hostname)) {
    fail(specOf('GRAPH_CREDENTIAL'), credential, 'the emulator credential only works with a loopback GRAPH_BASE_URL');
  }
  const emailFrom = text(env, 'ALERT_EMAIL_FROM');
  const emailTo = text(env, 'ALERT_EMAIL_TO')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (emailFrom && emailTo.length === 0) {
    fail(specOf('ALERT_EMAIL_TO'), '', 'ALERT_EMAIL_FROM is set, so at least one recipient is needed');
  }
  const settings: Settings = {
    tenantId: text(env, 'TENANT_ID').toLowerCase(),
    graph: {
      baseUrl: graphBaseUrl,
      credential,
      clientId: text(env, 'AZURE_CLIENT_ID') || null,
      pageSize: int(env, 'GRAPH_PAGE_SIZE'),
      maxAttempts: int(env, 'GRAPH_MAX_ATTEMPTS'),
      retryBudgetMs: int(env, 'GRAPH_RETRY_BUDGET_SECONDS') * 1000,
      requestTimeoutMs: int(env, 'GRAPH_REQUEST_TIMEOUT_SECONDS') * 1000,
      memberCounts: bool(env, 'MEMBER_COUNTS_ENABLED'),
    },
    tables: { endpoint: endpoint || null, connectionString: connectionString || null, prefix },
    scan: {
      schedule: text(env, 'SCAN_SCHEDULE'),
      resumeSchedule: text(env, 'SCAN_RESUME_SCHEDULE'),
      timeBudgetMs: int(env, 'SCAN_TIME_BUDGET_SECONDS') * 1000,
      checkpointPages: int(env, 'SCAN_CHECKPOINT_PAGES'),
      resumeMaxAgeMs: int(env, 'SCAN_RESUME_MAX_AGE_HOURS') * HOUR,
      leaseMs: int(env, 'SCAN_LEASE_SECONDS') * 1000,
      retentionDays: int(env, 'RETENTION_DAYS'),
      deltaEnabled: bool(env, 'DELTA_ENABLED'),
      deltaMaxTokenAgeMs: int(env, 'DELTA_MAX_TOKEN_AGE_HOURS') * HOUR,
      fullScanIntervalMs: int(env, 'FULL_SCAN_INTERVAL_DAYS') * 24 * HOUR,
    },
    alerts: {
      policy: text(env, 'ALERT_POLICY') || null,
      webhookUrl: optionalUrl(env, 'ALERT_WEBHOOK_URL'),
      webhookSecret: text(env, 'ALERT_WEBHOOK_SECRET') || null,
      teamsWebhookUrl: optionalUrl(env, 'ALERT_TEAMS_WEBHOOK_URL'),
      emailFrom: emailFrom || null,
      emailTo,
      missedScanMs: int(env, 'ALERT_MISSED_SCAN_HOURS') * HOUR,
    },
    audit: {
      enabled: bool(env, 'AUDIT_ATTRIBUTION_ENABLED'),
      maxPages: int(env, 'AUDIT_MAX_PAGES'),
      latencyGraceMs: int(env, 'AUDIT_LATENCY_GRACE_MINUTES') * 60_000,
      retentionDays: int(env, 'AUDIT_RETENTION_DAYS'),
      writebackPropertyPatterns: propertyPatterns(env),
    },
    publicBaseUrl: optionalUrl(env, 'PUBLIC_BASE_URL'),
    cloudSync: { servicePrincipalIds: guidList(env, 'CLOUD_SYNC_SERVICE_PRINCIPAL_IDS') },
    engines: engineList(env),
    console: {
      auth: text(env, 'CONSOLE_AUTH') as Settings['console']['auth'],
      localRole: text(env, 'CONSOLE_LOCAL_ROLE') as Settings['console']['localRole'],
    },
    platform: readPlatformMarkers(env),
  };
  return deepFreeze(settings);
}

const ENGINE_ORDER: readonly WritebackEngine[] = ['connectSyncV2', 'connectSyncV1', 'cloudSync'];

/**
 * Parses an engine list (WRITEBACK_ENGINES, the what-if's `engines`). Connect Sync runs one group writeback
 * version, so v1 and v2 exclude each other; `none` stands alone. Returns the canonical order, or a sentence
 * saying what is wrong.
 */
export function parseEngineList(value: string): readonly WritebackEngine[] | string {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const allowed = `a comma-separated list of ${ENGINE_ORDER.join(', ')} (connectSyncV2 and connectSyncV1 not both), or none alone`;
  if (entries.length === 0) return `it is empty; it must be ${allowed}`;
  if (entries.includes('none')) return entries.length === 1 ? [] : `"none" cannot be combined with other engines; it must be ${allowed}`;
  const unknown = entries.filter((entry) => !(ENGINE_ORDER as readonly string[]).includes(entry));
  if (unknown.length > 0) return `${unknown.map((entry) => `"${entry}"`).join(', ')} ${unknown.length === 1 ? 'is not an engine' : 'are not engines'}; it must be ${allowed}`;
  if (entries.includes('connectSyncV2') && entries.includes('connectSyncV1')) {
    return `connectSyncV2 and connectSyncV1 exclude each other (Connect Sync runs one group writeback version); it must be ${allowed}`;
  }
  return ENGINE_ORDER.filter((engine) => entries.includes(engine));
}

function engineList(env: Env): readonly WritebackEngine[] {
  const value = text(env, 'WRITEBACK_ENGINES');
  const parsed = parseEngineList(value);
  if (typeof parsed === 'string') fail(specOf('WRITEBACK_ENGINES'), value, parsed);
  return parsed;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Every setting's default as an app-settings map (what Azure gets when a parameter is left alone). */
export function settingDefaults(): Record<string, string> {
  const specs: readonly SettingSpec[] = SETTING_SPECS;
  return Object.fromEntries(specs.filter((s) => s.default !== undefined).map((s) => [s.name, s.default!]));
}
