/**
 * Connect Sync group writeback v1 (what Connect Sync falls back to once v2 is disabled). Entra docs
 * how-to-connect-group-writeback-disable / migrate-group-writeback: after v2 is disabled "all Microsoft 365
 * groups are written back to Active Directory independently of the Writeback Enabled setting", as
 * distribution groups; v1 writes back no other kind.
 */
import type { EngineVerdict } from '../../model';
import type { GroupFacts } from './facts';

const NOT_WRITTEN_BACK_SYNCED: EngineVerdict = Object.freeze({ verdict: 'notWrittenBack', targetType: null, reason: 'syncedFromOnPremises' });
const NOT_WRITTEN_BACK_KIND: EngineVerdict = Object.freeze({ verdict: 'notWrittenBack', targetType: null, reason: 'v1Microsoft365Only' });
const WRITTEN_BACK: EngineVerdict = Object.freeze({ verdict: 'writtenBack', targetType: 'universalDistributionGroup', reason: 'v1Enabled' });
// The portal shows "No writeback" (isEnabled is not true) although v1 writes the group back: the legacy default.
const LEGACY_DEFAULT: EngineVerdict = Object.freeze({ verdict: 'legacyDefault', targetType: 'universalDistributionGroup', reason: 'v1IgnoresIsEnabled' });

/** The verdicts are shared frozen objects: 100,000 groups a scan allocate none. */
export function decideConnectSyncV1(facts: GroupFacts): EngineVerdict {
  if (facts.sourceOfAuthority === 'onPremises') return NOT_WRITTEN_BACK_SYNCED;
  if (facts.kind !== 'microsoft365') return NOT_WRITTEN_BACK_KIND;
  return facts.raw.isEnabled === true ? WRITTEN_BACK : LEGACY_DEFAULT;
}
