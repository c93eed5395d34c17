/**
 * A synthetic tenant: group number `index` of a tenant with seed `seed` is a pure function of the two,
 * so a 500,000-group tenant costs no memory until a group is read, and two runs with the same seed see
 * the same groups. The first groups (COVERAGE_PROFILES) deliberately cover every row of the
 * classification table (docs: shared domain rules, section 3), every finding and the awkward inputs
 * (sparse objects, enum casing, odd display names); the rest are a realistic random mix.
 */
import type { GraphGroup } from './groupShape';
import { createRng, formatGuid, hash32, isoSeconds, mix32, permute32, unpermute32, type Rng } from './random';

export const SYNTHETIC_MAIL_DOMAIN = 'contoso.onmicrosoft.com';

type Kind = 'microsoft365' | 'security' | 'mailEnabledSecurity' | 'distribution' | 'unknown';
type Source = 'cloud' | 'onPremises' | 'cloudFormerlySynced';

/** What a synthetic group is; turned into Graph JSON by `buildGroup`. */
interface GroupProfile {
  kind: Kind;
  source?: Source;
  /** `undefined` = omit writebackConfiguration entirely (sparse). */
  writeback?: { isEnabled: boolean | null; onPremisesGroupType: string | null };
  dynamic?: boolean;
  roleAssignable?: boolean;
  team?: boolean;
  visibility?: 'Public' | 'Private' | 'HiddenMembership' | null;
  /** M365 groups may also be security-enabled. */
  securityEnabledM365?: boolean;
  /** Drop these properties from the object (sparse objects). */
  omit?: readonly (keyof GraphGroup)[];
  name?: string;
  memberCount?: number;
}

const wb = (isEnabled: boolean | null, onPremisesGroupType: string | null): GroupProfile['writeback'] => ({
  isEnabled,
  onPremisesGroupType,
});

const LONG_NAME = `Long name ${'abcdefghij'.repeat(25)}`.slice(0, 256);

/**
 * Display names that break naive CSV/Excel export (formula prefixes), JSON/HTML escaping, width
 * assumptions or byte-length assumptions.
 */
export const ODD_DISPLAY_NAMES: readonly string[] = [
  '=HYPERLINK("http://example.invalid","click")',
  '+SUM(1,2)',
  '-2+3',
  '@mention all staff',
  'Zürich Straße – Ωmega 東京 «Übung»',
  '🚀 Launch crew 👩‍🚀',
  LONG_NAME,
  'The "Quoted" group, with \'apostrophes\'',
  '<b>Not bold</b> & ampersand',
  '  leading and trailing spaces  ',
  'Tab\tand\nnewline',
];

/**
 * One profile per classification row and finding, so even a 26-group tenant exercises everything.
 * Comments name the row (domain rules §3) and findings (§5) each entry is there for.
 */
export const COVERAGE_PROFILES: readonly GroupProfile[] = [
  /* 0 row 6 legacyDefault, team */ { kind: 'microsoft365', writeback: wb(null, null), team: true, visibility: 'Public', name: 'Marketing Team' },
  /* 1 row 6 with writebackConfiguration missing (sparse) */ { kind: 'microsoft365', writeback: undefined, visibility: 'Private', name: ODD_DISPLAY_NAMES[0] },
  /* 2 row 4 enabledDefaultTarget */ { kind: 'microsoft365', writeback: wb(true, null), visibility: 'Private', name: 'Finance Committee' },
  /* 3 row 5 + publicGroupWrittenBackAsSecurity */ { kind: 'microsoft365', writeback: wb(true, 'universalSecurityGroup'), visibility: 'Public', name: ODD_DISPLAY_NAMES[1] },
  /* 4 row 5 + member count over the 50,000 M365 limit */ { kind: 'microsoft365', writeback: wb(true, 'universalDistributionGroup'), visibility: 'Private', team: true, memberCount: 60_000, name: 'All Company' },
  /* 5 row 7 enabledByDefault */ { kind: 'microsoft365', writeback: wb(null, 'universalMailEnabledSecurityGroup'), visibility: 'Private', name: ODD_DISPLAY_NAMES[2] },
  /* 6 row 3 disabled */ { kind: 'microsoft365', writeback: wb(false, null), visibility: 'Public', name: ODD_DISPLAY_NAMES[3] },
  /* 7 row 5 + dynamicGroupWrittenBackAsSecurity + casing variant */ { kind: 'microsoft365', dynamic: true, writeback: wb(true, 'UniversalSecurityGroup'), visibility: 'Private', name: ODD_DISPLAY_NAMES[4] },
  /* 8 row 8 */ { kind: 'security', writeback: wb(true, null), name: ODD_DISPLAY_NAMES[5] },
  /* 9 row 8 + roleAssignableWrittenBack */ { kind: 'security', writeback: wb(true, 'universalSecurityGroup'), roleAssignable: true, name: 'Tier0 Helpdesk Admins' },
  /* 10 row 8, casing variant + member count over the 250,000 limit */ { kind: 'security', writeback: wb(true, 'UniversalSecurityGroup'), memberCount: 300_000, name: ODD_DISPLAY_NAMES[6] },
  /* 11 row 9 invalidTargetForSecurityGroup */ { kind: 'security', writeback: wb(true, 'universalDistributionGroup'), name: ODD_DISPLAY_NAMES[7] },
  /* 12 row 10 */ { kind: 'security', writeback: wb(false, null), name: ODD_DISPLAY_NAMES[8] },
  /* 13 row 11 securityDefaultOff (securityDefaultDisputed) */ { kind: 'security', writeback: wb(null, null), name: ODD_DISPLAY_NAMES[9] },
  /* 14 row 8 + dynamicGroupWrittenBackAsSecurity */ { kind: 'security', dynamic: true, writeback: wb(true, null), name: ODD_DISPLAY_NAMES[10] },
  /* 15 row 2 mailEnabledSecurity */ { kind: 'mailEnabledSecurity', writeback: wb(true, 'universalMailEnabledSecurityGroup'), name: 'Payroll Notifications' },
  /* 16 row 2 distribution */ { kind: 'distribution', writeback: wb(null, null), name: 'Newsletter Subscribers' },
  /* 17 row 2 unknown kind: both flags and groupTypes missing */ { kind: 'unknown', writeback: wb(true, null), omit: ['securityEnabled', 'mailEnabled', 'groupTypes'], name: 'Sparse object' },
  /* 18 row 1 synced from AD, configured anyway */ { kind: 'security', source: 'onPremises', writeback: wb(true, 'universalSecurityGroup'), name: 'CORP\\File Share Readers' },
  /* 19 row 1 synced distribution list */ { kind: 'distribution', source: 'onPremises', writeback: wb(null, null), name: 'CORP Sales DL' },
  /* 20 row 11, formerly synced */ { kind: 'security', source: 'cloudFormerlySynced', writeback: wb(null, null), name: 'Migrated VPN Users' },
  /* 21 row 5 + unknownOnPremisesGroupType */ { kind: 'microsoft365', writeback: wb(true, 'universalFooGroup'), visibility: 'Private', name: 'Project Falcon' },
  /* 22 row 11 with a type set */ { kind: 'security', writeback: wb(null, 'universalSecurityGroup'), name: 'Printers EMEA' },
  /* 23 row 4 + roleAssignableWrittenBack (M365) */ { kind: 'microsoft365', writeback: wb(true, null), roleAssignable: true, visibility: 'Private', name: 'Exchange Admins Team' },
  /* 24 row 10 with a type set */ { kind: 'security', writeback: wb(false, 'universalSecurityGroup'), name: 'Legacy App Access' },
  /* 25 row 3 with a type set, hidden membership */ { kind: 'microsoft365', writeback: wb(false, 'universalDistributionGroup'), visibility: 'HiddenMembership', name: 'Board Hidden Members' },
];

const DEPARTMENTS = ['Sales', 'Finance', 'HR', 'IT', 'Legal', 'Marketing', 'Engineering', 'Support', 'Research', 'Operations', 'Facilities', 'Procurement'];
const PURPOSES = ['Team', 'Project', 'Readers', 'Editors', 'Admins', 'Leads', 'Interns', 'Contractors', 'App Access', 'Distribution', 'Community', 'Alerts'];
const REGIONS = ['EMEA', 'APAC', 'AMER', 'Nordics', 'DACH', 'UK', 'LATAM'];

/** Weighted random profile for groups past the coverage list; weights reflect a typical hybrid tenant. */
function randomProfile(rng: Rng): GroupProfile {
  const roll = rng.next();
  if (roll < 0.4) return randomM365(rng);
  if (roll < 0.75) return randomSecurity(rng);
  if (roll < 0.8) return { kind: 'mailEnabledSecurity', writeback: wb(null, null) };
  if (roll < 0.86) return { kind: 'distribution', writeback: wb(null, null) };
  if (roll < 0.97) {
    const kind = rng.pick<Kind>(['security', 'security', 'distribution', 'mailEnabledSecurity']);
    return { kind, source: 'onPremises', writeback: rng.chance(0.1) ? wb(true, 'universalSecurityGroup') : wb(null, null) };
  }
  if (roll < 0.995) return { kind: 'security', source: 'cloudFormerlySynced', writeback: rng.chance(0.3) ? wb(true, null) : wb(null, null) };
  return { kind: 'unknown', writeback: wb(null, null), omit: ['securityEnabled', 'mailEnabled'] };
}

function randomM365(rng: Rng): GroupProfile {
  const roll = rng.next();
  let writeback: GroupProfile['writeback'];
  if (roll < 0.5) writeback = wb(null, null);
  else if (roll < 0.6) writeback = wb(true, null);
  else if (roll < 0.7) writeback = wb(true, 'universalDistributionGroup');
  else if (roll < 0.75) writeback = wb(true, rng.chance(0.3) ? 'UniversalSecurityGroup' : 'universalSecurityGroup');
  else if (roll < 0.78) writeback = wb(true, 'universalMailEnabledSecurityGroup');
  else if (roll < 0.9) writeback = wb(false, null);
  else if (roll < 0.97) writeback = wb(null, rng.pick(['universalDistributionGroup', 'universalSecurityGroup']));
  else if (roll < 0.99) writeback = wb(false, 'universalDistributionGroup');
  else writeback = undefined;
  const dynamic = rng.chance(0.05);
  return {
    kind: 'microsoft365',
    writeback,
    dynamic,
    team: rng.chance(0.45),
    visibility: rng.chance(0.55) ? 'Public' : rng.chance(0.97) ? 'Private' : 'HiddenMembership',
    roleAssignable: !dynamic && rng.chance(0.005),
    securityEnabledM365: rng.chance(0.1),
  };
}

function randomSecurity(rng: Rng): GroupProfile {
  const roll = rng.next();
  let writeback: GroupProfile['writeback'];
  if (roll < 0.6) writeback = wb(null, null);
  else if (roll < 0.7) writeback = wb(true, null);
  else if (roll < 0.82) writeback = wb(true, rng.chance(0.2) ? 'UniversalSecurityGroup' : 'universalSecurityGroup');
  else if (roll < 0.83) writeback = wb(true, 'universalDistributionGroup');
  else if (roll < 0.93) writeback = wb(false, null);
  else if (roll < 0.99) writeback = wb(null, 'universalSecurityGroup');
  else writeback = undefined;
  const dynamic = rng.chance(0.12);
  return { kind: 'security', writeback, dynamic, roleAssignable: !dynamic && rng.chance(0.02) };
}

/** A display name and its mail nickname (derived cheaply for the common ASCII names). */
function randomName(rng: Rng, index: number): { name: string; nickname: string } {
  if (rng.chance(0.01)) {
    const name = `${rng.pick(ODD_DISPLAY_NAMES)} ${index}`;
    return { name, nickname: nicknameFrom(name, index) };
  }
  const department = rng.pick(DEPARTMENTS);
  const purpose = rng.pick(PURPOSES);
  const region = rng.pick(REGIONS);
  return { name: `${department} ${purpose} ${region} ${index}`, nickname: `${department}${purpose.replace(' ', '')}${region}${index}` };
}

function randomMemberCount(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.6) return rng.int(50);
  if (roll < 0.95) return 50 + rng.int(950);
  if (roll < 0.999) return 1_000 + rng.int(20_000);
  return 50_001 + rng.int(300_000);
}

const EPOCH_2015 = Date.UTC(2015, 0, 1);
const DAY_MS = 86_400_000;

function nicknameFrom(name: string, index: number): string {
  const base = name.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '').slice(0, 40);
  return `${base || 'group'}${index}`;
}

function buildGroup(id: string, index: number, profile: GroupProfile, rng: Rng): GraphGroup {
  const named = profile.name !== undefined ? { name: profile.name, nickname: nicknameFrom(profile.name, index) } : randomName(rng, index);
  const { name, nickname } = named;
  const created = EPOCH_2015 + rng.int(3_500) * DAY_MS + rng.int(DAY_MS);
  const source = profile.source ?? 'cloud';
  const isM365 = profile.kind === 'microsoft365';
  const mailEnabled = isM365 || profile.kind === 'mailEnabledSecurity' || profile.kind === 'distribution';
  const securityEnabled =
    profile.kind === 'security' || profile.kind === 'mailEnabledSecurity' || (isM365 && profile.securityEnabledM365 === true);
  const groupTypes: string[] = [];
  if (isM365) groupTypes.push('Unified');
  if (profile.dynamic) groupTypes.push('DynamicMembership');
  const mail = mailEnabled ? `${nickname}@${SYNTHETIC_MAIL_DOMAIN}` : null;
  const synced = source !== 'cloud';
  const group: GraphGroup = {
    id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: isoSeconds(created),
    description: rng.chance(0.6) ? `${name} (synthetic group ${index})` : null,
    displayName: name,
    expirationDateTime: null,
    groupTypes,
    isAssignableToRole: profile.roleAssignable === true ? true : null,
    mail,
    mailEnabled,
    mailNickname: nickname,
    membershipRule: profile.dynamic ? `(user.department -eq "${rng.pick(DEPARTMENTS)}")` : null,
    membershipRuleProcessingState: profile.dynamic ? 'On' : null,
    onPremisesLastSyncDateTime: synced ? isoSeconds(created + rng.int(400) * DAY_MS) : null,
    onPremisesSecurityIdentifier: synced ? `S-1-5-21-${hash32(index, 1)}-${hash32(index, 2)}-${1000 + index}` : null,
    onPremisesSyncEnabled: source === 'onPremises' ? true : source === 'cloudFormerlySynced' ? false : null,
    preferredDataLocation: null,
    proxyAddresses: mail ? [`SMTP:${mail}`] : [],
    renewedDateTime: isoSeconds(created),
    resourceBehaviorOptions: [],
    resourceProvisioningOptions: profile.team ? ['Team'] : [],
    securityEnabled,
    theme: null,
    visibility: isM365 ? (profile.visibility ?? 'Public') : profile.roleAssignable ? 'Private' : null,
    writebackConfiguration: profile.writeback ? { ...profile.writeback } : null,
  };
  if (profile.writeback === undefined) delete group.writebackConfiguration;
  for (const key of profile.omit ?? []) delete group[key];
  return group;
}

/** Key mixing the seed into the index permutation, so different seeds give disjoint-looking ids. */
function idKey(seed: number): number {
  return mix32((seed >>> 0) ^ 0x5bd1e995);
}

/** The id of synthetic group `index`: a lowercase GUID whose first 8 hex digits encode the index. */
export function syntheticGroupId(seed: number, index: number): string {
  const rng = createRng(hash32(seed, index, 0x1d));
  return formatGuid(permute32(index, idKey(seed)), hash32(seed, index, 0x2e), rng.next() * 4294967296, rng.next() * 4294967296);
}

/** Inverse of syntheticGroupId: the index for an id, or undefined when the id is not one of ours. */
export function syntheticGroupIndex(seed: number, id: string, count: number): number | undefined {
  const head = id.slice(0, 8);
  if (!/^[0-9a-f]{8}$/.test(head)) return undefined;
  const index = unpermute32(parseInt(head, 16), idKey(seed));
  if (index >= count) return undefined;
  return syntheticGroupId(seed, index) === id ? index : undefined;
}

function profileFor(seed: number, index: number, rng: Rng): GroupProfile {
  return COVERAGE_PROFILES[index] ?? randomProfile(rng);
}

/** Group number `index` of the tenant with seed `seed`, as Graph beta returns it without `$select`. */
export function syntheticGroup(seed: number, index: number): GraphGroup {
  const rng = createRng(hash32(seed, index, 0x3f));
  return buildGroup(syntheticGroupId(seed, index), index, profileFor(seed, index, rng), rng);
}

/** Member count of synthetic group `index` (served by /groups/{id}/members/$count). */
export function syntheticMemberCount(seed: number, index: number): number {
  const fixed = COVERAGE_PROFILES[index]?.memberCount;
  if (fixed !== undefined) return fixed;
  return randomMemberCount(createRng(hash32(seed, index, 0x4a)));
}

export type SyntheticGroupGenerator = (seed: number, index: number) => GraphGroup;
