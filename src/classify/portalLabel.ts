/**
 * What the Entra admin center shows for a group in its "Group writeback state" (the "Writeback enabled" and
 * "Target writeback type" columns of All groups). Reports put it next to the product's verdict, because the
 * gap between the two is what admins miss: the portal says "No writeback" whenever isEnabled is not true,
 * also for groups that are written back (Entra docs groups-write-back-portal).
 */
import type { ClassifiedGroup, OnPremisesGroupType } from '../model';

/** The portal's names for the target types (its "Group writeback state" choices). */
const PORTAL_TYPE_NAMES: Record<OnPremisesGroupType, string> = {
  universalDistributionGroup: 'Distribution',
  universalSecurityGroup: 'Security',
  universalMailEnabledSecurityGroup: 'Mail-enabled security',
};

export const PORTAL_NO_WRITEBACK = 'No writeback';

/**
 * Mirrors the stored configuration, not the verdict: a security group configured with a distribution target
 * shows "Distribution" here although it is written back as a security group.
 */
export function portalLabel(group: ClassifiedGroup): string {
  const { isEnabled, onPremisesGroupType, onPremisesGroupTypeNormalized } = group.raw;
  if (isEnabled !== true) return PORTAL_NO_WRITEBACK;
  if (onPremisesGroupTypeNormalized !== null) return PORTAL_TYPE_NAMES[onPremisesGroupTypeNormalized];
  if (onPremisesGroupType === null || onPremisesGroupType.trim() === '') return 'Writeback enabled (no target type set)';
  return `Writeback enabled (${onPremisesGroupType})`;
}
