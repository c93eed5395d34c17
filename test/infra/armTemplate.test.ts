/**
 * What `azd up` would deploy, checked on the ARM JSON that `bicep build infra/main.bicep` produces (not
 * on the Bicep text): the app settings against SETTING_SPECS, identity-only access, role assignments,
 * runtime and hardening. Also keeps local.settings.sample.json in step with SETTING_SPECS.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTING_SPECS, loadSettings, type SettingSpec } from '../../src/config/settings';
import { type ArmValue, type DeployedResource, type Deployment, Opaque, evaluateDeployment, isOpaque, render, sameValue } from './armEvaluator';
import { type ArmTemplate, REPO_ROOT, compileMainTemplate, findBicepCli, requireBicep, skipWithoutBicep } from './bicepCli';
import { DEPLOYED_NODE_ARGUMENTS } from '../../bench/deployedNode';

const SPECS: readonly SettingSpec[] = SETTING_SPECS;
const AZURE_SPECS = SPECS.filter((s) => !s.localOnly);

/**
 * Settings the Functions host itself reads in Azure, on top of the app's own. Storage and Application
 * Insights are reached with the managed identity (…__credential / AUTHENTICATION_STRING), so no
 * connection string with a key is needed. FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are
 * deliberately absent: Flex Consumption takes the runtime from functionAppConfig and rejects them.
 * languageWorkers__node__arguments gives the host's Node worker its heap limit.
 */
const AZURE_HOST_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'languageWorkers__node__arguments',
] as const;

/** App settings whose Azure value comes from the deployment, not from a parameter with the code's default. */
const DERIVED_IN_AZURE = ['TENANT_ID', 'GRAPH_CREDENTIAL', 'AZURE_CLIENT_ID', 'TABLE_STORAGE_ENDPOINT', 'PUBLIC_BASE_URL', 'CONSOLE_AUTH'] as const;

/**
 * Settings only the local run reads: the Functions host's own two (what `func start` needs) and the
 * function key the local host checks (src/cli/hostCommand.ts reads it from local.settings.json).
 */
const LOCAL_HOST_SETTINGS = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'LOCAL_FUNCTION_KEY'] as const;

/**
 * Where local.settings.sample.json differs from the code's defaults, and why: the sample runs against
 * the Graph emulator and Azurite on a developer machine.
 */
const LOCAL_SAMPLE_EXCEPTIONS: Record<string, (value: string) => boolean> = {
  // Required, no default: any tenant id works with the emulator.
  TENANT_ID: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  // The emulator on loopback (`writeback-watch emulator --port 4010`).
  GRAPH_BASE_URL: (v) => /^http:\/\/127\.0\.0\.1:\d+$/.test(v),
  // The emulator's fixed token instead of a managed identity.
  GRAPH_CREDENTIAL: (v) => v === 'emulator',
  // Azurite's well-known development account.
  TABLE_STORAGE_CONNECTION_STRING: (v) => v === 'UseDevelopmentStorage=true',
};

/** Main template parameter that feeds a setting: TABLE_PREFIX → tablePrefix. */
function parameterFor(setting: string): string {
  return setting.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

const REQUIRED = { environmentName: 'wbwtest', location: 'westeurope' } satisfies Record<string, ArmValue>;

// --------------------------------------------------------------------------------------------------
// Helpers over an evaluated deployment
// --------------------------------------------------------------------------------------------------

function deployedOfType(deployment: Deployment, type: string): DeployedResource[] {
  return deployment.resources.filter((r) => r.deployed && r.type.toLowerCase() === type.toLowerCase());
}

function single(deployment: Deployment, type: string): DeployedResource {
  const found = deployedOfType(deployment, type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
}

/** The app's identity (Graph, tables, host storage), as opposed to the console sign-in identity. */
function appIdentity(deployment: Deployment): DeployedResource {
  const found = deployedOfType(deployment, 'Microsoft.ManagedIdentity/userAssignedIdentities').filter((r) => render(r.name).includes("'{0}api-{1}'"));
  expect(found, 'the app identity').toHaveLength(1);
  return found[0]!;
}

function signInIdentity(deployment: Deployment): DeployedResource {
  const found = deployedOfType(deployment, 'Microsoft.ManagedIdentity/userAssignedIdentities').filter((r) => render(r.name).includes("'{0}auth-{1}'"));
  expect(found, 'the sign-in identity').toHaveLength(1);
  return found[0]!;
}

function obj(value: ArmValue): Record<string, ArmValue> {
  expect(value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Opaque), `object: ${render(value)}`).toBe(true);
  return value as Record<string, ArmValue>;
}

function appSettings(deployment: Deployment): Record<string, ArmValue> {
  const configs = deployedOfType(deployment, 'Microsoft.Web/sites/config').filter((c) => String(c.name).endsWith('appsettings') || render(c.name).includes("'appsettings'"));
  expect(configs).toHaveLength(1);
  return obj(configs[0]!.field('properties'));
}

/** resourceId('<type>', <name>) as the evaluator renders it, for the named resource. */
function resourceIdOf(resource: DeployedResource): Opaque {
  return new Opaque('resourceId', [resource.type, resource.name]);
}

/** reference(resourceId(<resource>), …) followed by a property path, e.g. principalId. */
function referencesResource(value: ArmValue, resource: DeployedResource, path: readonly string[]): boolean {
  if (!isOpaque(value, 'reference')) return false;
  return sameValue(value.args[0]!, resourceIdOf(resource)) && value.path.join('.') === path.join('.');
}

function modulesTemplate(template: ArmTemplate, module: string): { parameters: Record<string, Record<string, unknown>> } {
  const resources = template.resources as { type: string; name: string; properties: { template: { parameters: Record<string, Record<string, unknown>> } } }[];
  const found = resources.find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === module);
  if (!found) throw new Error(`no module ${module}`);
  return found.properties.template;
}

// --------------------------------------------------------------------------------------------------

const lookup = findBicepCli();
const skip = skipWithoutBicep(lookup, 'ARM template tests');

describe.skipIf(skip)('compiled ARM template (infra/main.bicep)', () => {
  let template: ArmTemplate;
  let defaults: Deployment;

  beforeAll(() => {
    template = compileMainTemplate(requireBicep(lookup)).template;
    defaults = evaluateDeployment(template, REQUIRED);
  });

  describe('app settings', () => {
    it('are exactly the settings the code reads in Azure plus the host\'s own', () => {
      const expected = [...AZURE_SPECS.map((s) => s.name), ...AZURE_HOST_SETTINGS].sort();
      expect(Object.keys(appSettings(defaults)).sort()).toEqual(expected);
    });

    it('leave out local-only settings and the settings Flex Consumption rejects', () => {
      const names = Object.keys(appSettings(defaults));
      for (const spec of SPECS.filter((s) => s.localOnly)) expect(names).not.toContain(spec.name);
      for (const name of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'AzureWebJobsStorage', 'WEBSITE_RUN_FROM_PACKAGE']) {
        expect(names).not.toContain(name);
      }
    });

    it('default to the code\'s defaults when the parameters are left alone', () => {
      const settings = appSettings(defaults);
      for (const spec of AZURE_SPECS.filter((s) => !(DERIVED_IN_AZURE as readonly string[]).includes(s.name))) {
        expect(settings[spec.name], spec.name).toBe(spec.default);
      }
    });

    it('derive identity, tenant and endpoints from the deployment', () => {
      const settings = appSettings(defaults);
      const identity = appIdentity(defaults);
      const storage = single(defaults, 'Microsoft.Storage/storageAccounts');
      const site = single(defaults, 'Microsoft.Web/sites');
      expect(settings.GRAPH_CREDENTIAL).toBe('managedIdentity');
      expect(render(settings.TENANT_ID!)).toBe('subscription().tenantId');
      expect(referencesResource(settings.AZURE_CLIENT_ID!, identity, ['clientId']), render(settings.AZURE_CLIENT_ID!)).toBe(true);
      expect(referencesResource(settings.TABLE_STORAGE_ENDPOINT!, storage, ['primaryEndpoints', 'table']), render(settings.TABLE_STORAGE_ENDPOINT!)).toBe(true);
      const publicUrl = settings.PUBLIC_BASE_URL!;
      expect(isOpaque(publicUrl, 'format') && publicUrl.args[0] === 'https://{0}' && referencesResource(publicUrl.args[1]!, site, ['defaultHostName']), render(publicUrl)).toBe(true);
    });

    it('each carry their own parameter\'s value', () => {
      // A distinct value per parameter proves each setting is wired to its own parameter.
      const given: Record<string, ArmValue> = { ...REQUIRED };
      const expected: Record<string, string> = {};
      const params = template.parameters as Record<string, { type: string; minValue?: number }>;
      const fed = AZURE_SPECS.filter((s) => !(DERIVED_IN_AZURE as readonly string[]).includes(s.name) || s.name === 'TENANT_ID');
      fed.forEach((spec, i) => {
        const param = params[parameterFor(spec.name)]!;
        if (param.type === 'int') {
          const value = (spec.min ?? 0) + 1 + (i % 2);
          given[parameterFor(spec.name)] = value;
          expected[spec.name] = String(value);
        } else if (param.type === 'bool') {
          given[parameterFor(spec.name)] = spec.default !== 'true';
          expected[spec.name] = String(spec.default !== 'true');
        } else {
          const value = `value-of-${spec.name}`;
          given[parameterFor(spec.name)] = value;
          expected[spec.name] = value;
        }
      });
      const settings = appSettings(evaluateDeployment(template, given));
      for (const [name, value] of Object.entries(expected)) expect(settings[name], name).toBe(value);
    });

    it('give the Node worker a heap limit of half the instance memory, the arguments the benchmark runs with', () => {
      const site = single(defaults, 'Microsoft.Web/sites');
      const memory = obj(obj(obj(site.field('properties')).functionAppConfig!).scaleAndConcurrency!).instanceMemoryMB;
      expect(appSettings(defaults).languageWorkers__node__arguments).toBe(`--max-old-space-size=${Number(memory) / 2}`);
      expect(appSettings(defaults).languageWorkers__node__arguments).toBe(DEPLOYED_NODE_ARGUMENTS.join(' '));
    });

    it('hold no key, password or connection string with a secret', () => {
      const settings = appSettings(defaults);
      for (const [name, value] of Object.entries(settings)) {
        const text = render(value);
        expect(text, name).not.toMatch(/AccountKey=|SharedAccessKey|SharedAccessSignature|sig=|Password|ClientSecret|listKeys|listSecrets|listAccountSas/i);
      }
      // Nothing anywhere in the template reads a key: no list*() call at all.
      expect(JSON.stringify(template)).not.toMatch(/\blist(Keys|Secrets|AccountSas|ServiceSas|ConnectionStrings)\s*\(/i);
    });

    it('reach host storage and Application Insights with the managed identity', () => {
      const settings = appSettings(defaults);
      const identity = appIdentity(defaults);
      const storage = single(defaults, 'Microsoft.Storage/storageAccounts');
      expect(sameValue(settings.AzureWebJobsStorage__accountName!, storage.name)).toBe(true);
      expect(settings.AzureWebJobsStorage__credential).toBe('managedidentity');
      expect(referencesResource(settings.AzureWebJobsStorage__clientId!, identity, ['clientId'])).toBe(true);
      const auth = settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING!;
      expect(isOpaque(auth, 'format') && auth.args[0] === 'ClientId={0};Authorization=AAD' && referencesResource(auth.args[1]!, identity, ['clientId']), render(auth)).toBe(true);
    });
  });

  describe('parameters', () => {
    const params = (): Record<string, { type: string; defaultValue?: unknown; minValue?: number; maxValue?: number; minLength?: number; maxLength?: number }> =>
      template.parameters as never;

    it('exist for every setting not derived from the deployment, with the code\'s default, type and bounds', () => {
      for (const spec of AZURE_SPECS.filter((s) => !(DERIVED_IN_AZURE as readonly string[]).includes(s.name))) {
        const name = parameterFor(spec.name);
        const param = params()[name];
        expect(param, `parameter ${name} for ${spec.name}`).toBeDefined();
        if (spec.kind === 'int') {
          expect(param!.type, name).toBe('int');
          expect(param!.defaultValue, name).toBe(Number(spec.default));
          expect([param!.minValue, param!.maxValue], name).toEqual([spec.min, spec.max]);
        } else if (spec.kind === 'bool') {
          expect(param!.type, name).toBe('bool');
          expect(param!.defaultValue, name).toBe(spec.default === 'true');
        } else {
          expect(param!.type.toLowerCase(), name).toMatch(/^(secure)?string$/);
          expect(param!.defaultValue, name).toBe(spec.default);
        }
      }
    });

    it('are secure for every secret setting, with an empty default', () => {
      for (const spec of AZURE_SPECS.filter((s) => s.secret)) {
        const param = params()[parameterFor(spec.name)]!;
        expect(param.type, spec.name).toBe('securestring');
        expect(param.defaultValue, spec.name).toBe('');
      }
    });

    it('default TENANT_ID to the subscription\'s tenant', () => {
      expect(params().tenantId!.defaultValue).toBe('[subscription().tenantId]');
      const settings = appSettings(evaluateDeployment(template, { ...REQUIRED, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }));
      expect(settings.TENANT_ID).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    });

    it('pass the app settings to the module as a secure object (they carry the alert secrets)', () => {
      expect(modulesTemplate(template, 'api').parameters.appSettings!.type).toBe('secureObject');
    });

    it('in main.parameters.json are only what a person chooses, mapped from the azd environment', () => {
      const file = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
      expect(file.parameters).toEqual({
        environmentName: { value: '${AZURE_ENV_NAME}' },
        location: { value: '${AZURE_LOCATION}' },
        principalId: { value: '${AZURE_PRINCIPAL_ID}' },
        entraClientId: { value: '${ENTRA_CLIENT_ID=}' },
      });
      for (const name of Object.keys(file.parameters)) expect(params()[name], name).toBeDefined();
    });
  });

  describe('role assignments', () => {
    function roleOf(assignment: DeployedResource): string {
      const id = obj(assignment.field('properties')).roleDefinitionId!;
      expect(isOpaque(id, 'subscriptionResourceId') && id.args[0] === 'Microsoft.Authorization/roleDefinitions', render(id)).toBe(true);
      return String((id as Opaque).args[1]);
    }

    it('go only to the managed identity, as a service principal, scoped to the one resource each needs', () => {
      const identity = appIdentity(defaults);
      const storage = single(defaults, 'Microsoft.Storage/storageAccounts');
      const insights = single(defaults, 'Microsoft.Insights/components');
      const assignments = deployedOfType(defaults, 'Microsoft.Authorization/roleAssignments');
      expect(assignments.length).toBeGreaterThan(0);
      const granted: string[] = [];
      for (const assignment of assignments) {
        const props = obj(assignment.field('properties'));
        expect(referencesResource(props.principalId!, identity, ['principalId']), render(props.principalId!)).toBe(true);
        expect(props.principalType).toBe('ServicePrincipal');
        const role = roleOf(assignment);
        const scope = assignment.field('scope');
        const expectedScope = role === ROLE.monitoringMetricsPublisher ? insights : storage;
        expect(sameValue(scope, resourceIdOf(expectedScope)), `${role} scoped to ${render(scope)}`).toBe(true);
        granted.push(role);
      }
      expect(granted.sort()).toEqual([ROLE.storageBlobDataOwner, ROLE.storageTableDataContributor, ROLE.monitoringMetricsPublisher].sort());
    });

    it('give the deploying person read-only table access only when asked', () => {
      const withPrincipal = { ...REQUIRED, principalId: '00000000-0000-0000-0000-00000000abcd' };
      const count = (d: Deployment): number => deployedOfType(d, 'Microsoft.Authorization/roleAssignments').length;
      expect(count(evaluateDeployment(template, withPrincipal))).toBe(3);
      const granted = evaluateDeployment(template, { ...withPrincipal, grantDeployerTableRead: true });
      const extra = deployedOfType(granted, 'Microsoft.Authorization/roleAssignments').filter(
        (a) => obj(a.field('properties')).principalId === withPrincipal.principalId,
      );
      expect(extra).toHaveLength(1);
      expect(roleOf(extra[0]!)).toBe(ROLE.storageTableDataReader);
      expect(obj(extra[0]!.field('properties')).principalType).toBe('User');
    });
  });

  describe('function app', () => {
    it('runs Node 22 on Linux in a Flex Consumption plan', () => {
      const plan = single(defaults, 'Microsoft.Web/serverfarms');
      expect(obj(plan.field('sku'))).toMatchObject({ name: 'FC1', tier: 'FlexConsumption' });
      expect(obj(plan.field('properties')).reserved).toBe(true);
      const site = single(defaults, 'Microsoft.Web/sites');
      expect(String(site.field('kind')).split(',')).toEqual(expect.arrayContaining(['functionapp', 'linux']));
      const config = obj(obj(site.field('properties')).functionAppConfig!);
      expect(obj(config.runtime!)).toEqual({ name: 'node', version: '22' });
    });

    it('runs as the one user-assigned identity and pulls its package with it', () => {
      const identity = appIdentity(defaults);
      const site = single(defaults, 'Microsoft.Web/sites');
      const siteIdentity = obj(site.field('identity'));
      expect(siteIdentity.type).toBe('UserAssigned');
      const assigned = Object.keys(obj(siteIdentity.userAssignedIdentities!));
      expect(assigned).toHaveLength(1);
      // The key is the identity's resource id, as passed from the identity module's `id` output.
      expect(assigned[0]).toBe(render(new Opaque('resourceId', [identity.type, identity.name])));
      const storageConfig = obj(obj(obj(obj(site.field('properties')).functionAppConfig!).deployment!).storage!);
      expect(storageConfig.type).toBe('blobContainer');
      const auth = obj(storageConfig.authentication!);
      expect(auth.type).toBe('UserAssignedIdentity');
      expect(render(auth.userAssignedIdentityResourceId!)).toBe(assigned[0]);
    });

    it('deploys from a blob container that the storage account creates', () => {
      const storage = single(defaults, 'Microsoft.Storage/storageAccounts');
      const site = single(defaults, 'Microsoft.Web/sites');
      const target = obj(obj(obj(obj(site.field('properties')).functionAppConfig!).deployment!).storage!).value!;
      expect(isOpaque(target, 'format'), render(target)).toBe(true);
      const [fmt, blobEndpoint, container] = (target as Opaque).args;
      expect(fmt).toBe('{0}{1}');
      expect(referencesResource(blobEndpoint!, storage, ['primaryEndpoints', 'blob'])).toBe(true);
      const containers = deployedOfType(defaults, 'Microsoft.Storage/storageAccounts/blobServices/containers');
      expect(containers.some((c) => render(c.name).includes(render(container!).slice(1, -1)) || render(c.name).includes(render(container!)))).toBe(true);
      for (const c of containers) expect(obj(c.field('properties')).publicAccess).toBe('None');
    });

    it('accepts HTTPS only, with FTP and basic publishing credentials off', () => {
      const site = single(defaults, 'Microsoft.Web/sites');
      const props = obj(site.field('properties'));
      expect(props.httpsOnly).toBe(true);
      expect(obj(props.siteConfig!)).toMatchObject({ ftpsState: 'Disabled', minTlsVersion: '1.2' });
      const policies = deployedOfType(defaults, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
      expect(policies.map((p) => render(p.name).match(/'(ftp|scm)'/)?.[1] ?? String(p.name).split('/').pop()).sort()).toEqual(['ftp', 'scm']);
      for (const p of policies) expect(obj(p.field('properties')).allow).toBe(false);
    });
  });

  describe('storage and monitoring', () => {
    it('storage accepts only Entra-authenticated HTTPS with TLS 1.2 and no public blobs', () => {
      const storage = single(defaults, 'Microsoft.Storage/storageAccounts');
      expect(obj(storage.field('properties'))).toMatchObject({
        allowSharedKeyAccess: false,
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
      });
    });

    it('Application Insights takes only Entra-authenticated telemetry, into the Log Analytics workspace', () => {
      const insights = single(defaults, 'Microsoft.Insights/components');
      const workspace = single(defaults, 'Microsoft.OperationalInsights/workspaces');
      const props = obj(insights.field('properties'));
      expect(props.DisableLocalAuth).toBe(true);
      expect(sameValue(props.WorkspaceResourceId!, resourceIdOf(workspace))).toBe(true);
    });
  });

  describe('scan alert', () => {
    const queryFile = readFileSync(join(REPO_ROOT, 'docs', 'queries', 'failed-and-missed-scans.kql'), 'utf8');

    function alertQuery(deployment: Deployment): string {
      const rule = single(deployment, 'Microsoft.Insights/scheduledQueryRules');
      const criteria = obj(obj(rule.field('properties')).criteria!);
      const allOf = criteria.allOf as ArmValue[];
      return String(obj(allOf[0]!).query);
    }

    it('is not deployed unless asked for', () => {
      expect(deployedOfType(defaults, 'Microsoft.Insights/scheduledQueryRules')).toHaveLength(0);
    });

    it('runs docs/queries/failed-and-missed-scans.kql with the deployed missed-scan hours', () => {
      expect(alertQuery(evaluateDeployment(template, { ...REQUIRED, deployScanAlert: true }))).toBe(queryFile);
      const at30 = alertQuery(evaluateDeployment(template, { ...REQUIRED, deployScanAlert: true, alertMissedScanHours: 30 }));
      expect(at30).toBe(queryFile.replace('let missedScanHours = 26h;', 'let missedScanHours = 30h;'));
      // A log alert looks back at most two days (windowSize P2D).
      const at100 = alertQuery(evaluateDeployment(template, { ...REQUIRED, deployScanAlert: true, alertMissedScanHours: 100 }));
      expect(at100).toContain('let missedScanHours = 47h;');
    });
  });

  describe('console sign-in (App Service Authentication)', () => {
    const CLIENT_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
    const EXCLUDED = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'app', 'easyauth-excluded-paths.json'), 'utf8')) as string[];
    let signedIn: Deployment;
    beforeAll(() => {
      signedIn = evaluateDeployment(template, { ...REQUIRED, entraClientId: CLIENT_ID });
    });

    function authSettings(deployment: Deployment): DeployedResource[] {
      return deployedOfType(deployment, 'Microsoft.Web/sites/config').filter((c) => render(c.name).includes("'authsettingsV2'"));
    }

    it('stays off without an app registration: no authsettingsV2, CONSOLE_AUTH=off, one identity on the site', () => {
      expect(authSettings(defaults)).toHaveLength(0);
      const settings = appSettings(defaults);
      expect(settings.CONSOLE_AUTH).toBe('off');
      expect(settings).not.toHaveProperty('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID');
      expect(Object.keys(obj(obj(single(defaults, 'Microsoft.Web/sites').field('identity')).userAssignedIdentities!))).toHaveLength(1);
    });

    it('with entraClientId: requires sign-in except on the function-key paths, against this tenant, with no token store', () => {
      const configs = authSettings(signedIn);
      expect(configs).toHaveLength(1);
      const props = obj(configs[0]!.field('properties'));
      expect(obj(props.platform!).enabled).toBe(true);
      expect(obj(props.globalValidation!)).toEqual({
        requireAuthentication: true,
        unauthenticatedClientAction: 'RedirectToLoginPage',
        redirectToProvider: 'azureactivedirectory',
        excludedPaths: EXCLUDED,
      });
      expect(obj(props.httpSettings!).requireHttps).toBe(true);
      const aad = obj(obj(props.identityProviders!).azureActiveDirectory!);
      const registration = obj(aad.registration!);
      expect(registration.clientId).toBe(CLIENT_ID);
      expect(registration.clientSecretSettingName).toBe('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID');
      expect(Object.keys(registration).sort()).toEqual(['clientId', 'clientSecretSettingName', 'openIdIssuer']);
      const issuer = render(registration.openIdIssuer!);
      expect(issuer).toContain('environment()');
      expect(issuer).toContain('tenant()');
      expect(issuer).toContain('/v2.0');
      expect(obj(aad.validation!).allowedAudiences).toEqual([CLIENT_ID, `api://${CLIENT_ID}`]);
      expect(obj(obj(props.login!).tokenStore!)).toEqual({ enabled: false });
    });

    it('with entraClientId: signs in with the dedicated identity\'s federated credential, not a secret, and tells the app', () => {
      const settings = appSettings(signedIn);
      const auth = signInIdentity(signedIn);
      expect(settings.CONSOLE_AUTH).toBe('entra');
      expect(referencesResource(settings.OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID!, auth, ['clientId']), render(settings.OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID!)).toBe(true);
      expect(render(settings.WEBSITE_AUTH_AAD_ALLOWED_TENANTS!)).toContain('tenant()');
      const added = Object.keys(settings).filter((name) => !Object.keys(appSettings(defaults)).includes(name)).sort();
      expect(added).toEqual(['OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID', 'WEBSITE_AUTH_AAD_ALLOWED_TENANTS']);
      const assigned = Object.keys(obj(obj(single(signedIn, 'Microsoft.Web/sites').field('identity')).userAssignedIdentities!));
      expect(assigned).toEqual([render(resourceIdOf(appIdentity(signedIn))), render(resourceIdOf(auth))]);
    });

    it('fall back to a client secret from Key Vault only when given one, in its own setting', () => {
      const reference = '@Microsoft.KeyVault(SecretUri=https://kv-wbw.vault.azure.net/secrets/console-sign-in)';
      const fallback = evaluateDeployment(template, { ...REQUIRED, entraClientId: CLIENT_ID, entraClientSecretReference: reference });
      const registration = obj(obj(obj(obj(authSettings(fallback)[0]!.field('properties')).identityProviders!).azureActiveDirectory!).registration!);
      expect(registration.clientSecretSettingName).toBe('MICROSOFT_PROVIDER_AUTHENTICATION_SECRET');
      const settings = appSettings(fallback);
      expect(settings.MICROSOFT_PROVIDER_AUTHENTICATION_SECRET).toBe(reference);
      expect(settings).not.toHaveProperty('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID');
      expect(Object.keys(obj(obj(single(fallback, 'Microsoft.Web/sites').field('identity')).userAssignedIdentities!))).toHaveLength(1);
      expect((template.parameters as Record<string, { type: string; defaultValue?: unknown }>).entraClientSecretReference).toEqual(
        expect.objectContaining({ type: 'securestring', defaultValue: '' }),
      );
    });

    it('give the sign-in identity no role anywhere', () => {
      const auth = signInIdentity(signedIn);
      for (const assignment of deployedOfType(signedIn, 'Microsoft.Authorization/roleAssignments')) {
        expect(referencesResource(obj(assignment.field('properties')).principalId!, auth, ['principalId'])).toBe(false);
      }
    });

    it('output the sign-in identity for the admin\'s app-registration script', () => {
      expect(referencesResource(defaults.output('AUTH_IDENTITY_PRINCIPAL_ID'), signInIdentity(defaults), ['principalId'])).toBe(true);
    });
  });

  describe('outputs', () => {
    it('give azd the function app and the grant script the identity', () => {
      const identity = appIdentity(defaults);
      const site = single(defaults, 'Microsoft.Web/sites');
      expect(referencesResource(defaults.output('MANAGED_IDENTITY_PRINCIPAL_ID'), identity, ['principalId'])).toBe(true);
      expect(sameValue(defaults.output('SERVICE_API_NAME'), site.name)).toBe(true);
      expect(sameValue(defaults.output('AZURE_FUNCTION_NAME'), site.name)).toBe(true);
      expect(obj(site.field('tags'))['azd-service-name']).toBe('api');
    });
  });
});

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(readFileSync(join(REPO_ROOT, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, unknown> };

  it('lists every setting the code reads, plus the local host\'s own, and nothing else', () => {
    const expected = [...SPECS.map((s) => s.name), ...LOCAL_HOST_SETTINGS].sort();
    expect(Object.keys(sample.Values).sort()).toEqual(expected);
    for (const [name, value] of Object.entries(sample.Values)) expect(typeof value, name).toBe('string');
  });

  it('holds the code\'s defaults except where the local emulator run needs otherwise', () => {
    for (const spec of SPECS) {
      const value = sample.Values[spec.name] as string;
      const exception = LOCAL_SAMPLE_EXCEPTIONS[spec.name];
      if (exception) expect(exception(value), `${spec.name}=${value}`).toBe(true);
      else expect(value, spec.name).toBe(spec.default ?? '');
    }
    expect(sample.Values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(sample.Values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
  });

  it('is accepted by the settings loader as it is', () => {
    const settings = loadSettings(sample.Values as Record<string, string>);
    expect(settings.graph.credential).toBe('emulator');
    expect(settings.tables.connectionString).toBe('UseDevelopmentStorage=true');
  });
});

describe('function bindings', () => {
  it('only resolve %SETTING% expressions that SETTING_SPECS declares (so infra sets them)', () => {
    const dir = join(REPO_ROOT, 'functions');
    const names = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/'%([A-Za-z0-9_]+)%'/g)) names.add(m[1]!);
    }
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) expect(SPECS.map((s) => s.name), name).toContain(name);
  });
});

describe('azure.yaml', () => {
  it('names one service, api: a TypeScript function app built remotely, provisioned from infra/main.bicep', () => {
    const yaml = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8').replace(/^[ \t]*#.*\n/gm, '');
    const services = /^services:\n((?: {2}.*\n?)+)/m.exec(yaml)?.[1] ?? '';
    expect(services.match(/^ {2}\S+:/gm)).toEqual(['  api:']);
    for (const line of ['project: .', 'language: ts', 'host: function', 'remoteBuild: true']) expect(services).toContain(`    ${line}`);
    expect(yaml).toMatch(/^infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main$/m);
  });
});
