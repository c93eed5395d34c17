import { describe, expect, it } from 'vitest';
import { classifyGroup } from '../../src/classify/classifyGroup';
import { PORTAL_NO_WRITEBACK, portalLabel } from '../../src/classify/portalLabel';
import type { GraphGroup } from '../../src/model';
import { microsoft365, security, writeback } from './groups';

describe('portalLabel', () => {
  it.each([
    ['legacy default (written back)', microsoft365(), PORTAL_NO_WRITEBACK],
    ['isEnabled null with a type (written back)', microsoft365({ writebackConfiguration: writeback(null, 'universalSecurityGroup') }), PORTAL_NO_WRITEBACK],
    ['object missing', microsoft365({ writebackConfiguration: undefined }), PORTAL_NO_WRITEBACK],
    ['disabled', microsoft365({ writebackConfiguration: writeback(false, 'universalDistributionGroup') }), PORTAL_NO_WRITEBACK],
    ['security, isEnabled null', security(), PORTAL_NO_WRITEBACK],
    ['enabled as distribution', microsoft365({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }), 'Distribution'],
    ['enabled as security (PascalCase)', microsoft365({ writebackConfiguration: writeback(true, 'UniversalSecurityGroup') }), 'Security'],
    ['enabled as mail-enabled security', microsoft365({ writebackConfiguration: writeback(true, 'universalMailEnabledSecurityGroup') }), 'Mail-enabled security'],
    ['enabled without a type', security({ writebackConfiguration: writeback(true, null) }), 'Writeback enabled (no target type set)'],
    ['enabled with an unknown type', microsoft365({ writebackConfiguration: writeback(true, 'globalGroup') }), 'Writeback enabled (globalGroup)'],
    // The portal shows the stored configuration, not the effective target.
    ['security group configured as distribution', security({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }), 'Distribution'],
  ] as Array<[string, GraphGroup, string]>)('%s: %s', (_name, group, label) => {
    expect(portalLabel(classifyGroup(group))).toBe(label);
  });

  it('says "No writeback" for every group the product flags as portalShowsNoWriteback', () => {
    for (const group of [microsoft365(), microsoft365({ writebackConfiguration: writeback(null, 'universalDistributionGroup') })]) {
      const classified = classifyGroup(group);
      expect(classified.portalShowsNoWriteback).toBe(true);
      expect(classified.bucket).not.toBe('notWrittenBack');
      expect(portalLabel(classified)).toBe(PORTAL_NO_WRITEBACK);
    }
  });
});
