/**
 * The shape of a Graph beta `group` as the emulator serves it: which properties exist (for `$select`
 * validation) and which ones every non-sparse group carries (the default property set).
 * Source: Graph beta `group` resource page and the beta group list example, which returns
 * writebackConfiguration in the default set ({ isEnabled: null, onPremisesGroupType: null } when never set).
 */

/**
 * A group resource as the emulator stores and serves it: Graph beta's JSON, property names as on the wire.
 * Defined here, from the resource page, rather than borrowed from the product, so that a wrong assumption in
 * the product about Graph's shape fails a test instead of being mirrored by the emulator.
 */
export interface GraphGroup {
  id: string;
  displayName?: string | null;
  description?: string | null;
  groupTypes?: string[] | null;
  securityEnabled?: boolean | null;
  mailEnabled?: boolean | null;
  mail?: string | null;
  mailNickname?: string | null;
  visibility?: string | null;
  isAssignableToRole?: boolean | null;
  resourceProvisioningOptions?: string[] | null;
  onPremisesSyncEnabled?: boolean | null;
  createdDateTime?: string | null;
  membershipRule?: string | null;
  writebackConfiguration?: { isEnabled?: boolean | null; onPremisesGroupType?: string | null } | null;
  [property: string]: unknown;
}

/** Properties the emulator stores for every complete group; a group missing one of them is "sparse". */
export const DEFAULT_GROUP_PROPERTIES = [
  'id',
  'deletedDateTime',
  'classification',
  'createdDateTime',
  'description',
  'displayName',
  'expirationDateTime',
  'groupTypes',
  'isAssignableToRole',
  'mail',
  'mailEnabled',
  'mailNickname',
  'membershipRule',
  'membershipRuleProcessingState',
  'onPremisesLastSyncDateTime',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'preferredDataLocation',
  'proxyAddresses',
  'renewedDateTime',
  'resourceBehaviorOptions',
  'resourceProvisioningOptions',
  'securityEnabled',
  'theme',
  'visibility',
  'writebackConfiguration',
] as const;

/** Further beta group properties Graph knows; selecting them is valid and yields null here. */
const OTHER_GROUP_PROPERTIES = [
  'allowExternalSenders',
  'assignedLabels',
  'assignedLicenses',
  'autoSubscribeNewMembers',
  'createdByAppId',
  'creationOptions',
  'hasMembersWithLicenseErrors',
  'hideFromAddressLists',
  'hideFromOutlookClients',
  'infoCatalogs',
  'isArchived',
  'isFavorite',
  'isManagementRestricted',
  'isSubscribedByMail',
  'licenseProcessingState',
  'onPremisesDomainName',
  'onPremisesNetBiosName',
  'onPremisesProvisioningErrors',
  'onPremisesSamAccountName',
  'organizationId',
  'preferredLanguage',
  'securityIdentifier',
  'serviceProvisioningErrors',
  'uniqueName',
  'unseenConversationsCount',
  'unseenCount',
  'unseenMessagesCount',
] as const;

const DEFAULT_SET: ReadonlySet<string> = new Set(DEFAULT_GROUP_PROPERTIES);

/** Lower-case name → canonical name; Graph matches `$select` names case-insensitively. */
const CANONICAL_NAMES: ReadonlyMap<string, string> = new Map(
  [...DEFAULT_GROUP_PROPERTIES, ...OTHER_GROUP_PROPERTIES].map((name) => [name.toLowerCase(), name]),
);

export function canonicalGroupProperty(name: string): string | undefined {
  return CANONICAL_NAMES.get(name.trim().toLowerCase());
}

export function isDefaultGroupProperty(name: string): boolean {
  return DEFAULT_SET.has(name);
}

/** The three values Graph accepts for writebackConfiguration.onPremisesGroupType (matched case-insensitively). */
export const ON_PREMISES_GROUP_TYPE_VALUES = [
  'universalDistributionGroup',
  'universalSecurityGroup',
  'universalMailEnabledSecurityGroup',
] as const;

export function isKnownOnPremisesGroupType(value: string): boolean {
  const lower = value.toLowerCase();
  return ON_PREMISES_GROUP_TYPE_VALUES.some((known) => known.toLowerCase() === lower);
}

/**
 * Projects a stored group onto a `$select` list (canonical names, `id` included by the caller).
 * A selected default property missing from the stored object is omitted (a sparse object, as some
 * Graph responses are); any other selected property that the object lacks comes back as null.
 */
export function projectGroup(group: GraphGroup, select: readonly string[] | null): Record<string, unknown> {
  if (select === null) return { ...group };
  const projected: Record<string, unknown> = {};
  for (const name of select) {
    if (Object.prototype.hasOwnProperty.call(group, name)) projected[name] = group[name];
    else if (!DEFAULT_SET.has(name)) projected[name] = null;
  }
  return projected;
}

/** Deep copy of a group (groups hold only JSON values). */
export function copyGroup(group: GraphGroup): GraphGroup {
  return JSON.parse(JSON.stringify(group)) as GraphGroup;
}

/** Where admins switch writeback on as a security group: cloud-born security groups, not mail-enabled, not Microsoft 365, not synced. */
export function isCloudOnlySecurityGroup(group: GraphGroup): boolean {
  return (
    group.securityEnabled === true &&
    group.mailEnabled !== true &&
    (group.groupTypes === undefined || group.groupTypes === null || group.groupTypes.length === 0) &&
    (group.onPremisesSyncEnabled === null || group.onPremisesSyncEnabled === undefined)
  );
}
