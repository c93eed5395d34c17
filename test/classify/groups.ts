/** Graph group builders for classification tests: one per kind, as Graph beta returns them. */
import type { GraphGroup } from '../../src/model';

let next = 0;

function base(overrides: Partial<GraphGroup>): GraphGroup {
  next += 1;
  return {
    id: `00000000-0000-0000-0000-${String(next).padStart(12, '0')}`,
    displayName: `Group ${next}`,
    groupTypes: [],
    securityEnabled: false,
    mailEnabled: false,
    visibility: null,
    isAssignableToRole: null,
    resourceProvisioningOptions: [],
    onPremisesSyncEnabled: null,
    createdDateTime: '2024-01-02T03:04:05Z',
    writebackConfiguration: { isEnabled: null, onPremisesGroupType: null },
    ...overrides,
  };
}

export type Writeback = { isEnabled?: unknown; onPremisesGroupType?: unknown };

/** `writebackConfiguration` with values of any type, as sparse or careless producers send it. */
export function writeback(isEnabled: unknown, onPremisesGroupType: unknown): GraphGroup['writebackConfiguration'] {
  return { isEnabled, onPremisesGroupType } as GraphGroup['writebackConfiguration'];
}

export function microsoft365(overrides: Partial<GraphGroup> = {}): GraphGroup {
  return base({ groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, visibility: 'Private', mail: 'team@contoso.example', ...overrides });
}

export function security(overrides: Partial<GraphGroup> = {}): GraphGroup {
  return base({ securityEnabled: true, mailEnabled: false, ...overrides });
}

export function mailEnabledSecurity(overrides: Partial<GraphGroup> = {}): GraphGroup {
  return base({ securityEnabled: true, mailEnabled: true, mail: 'mesg@contoso.example', ...overrides });
}

export function distribution(overrides: Partial<GraphGroup> = {}): GraphGroup {
  return base({ securityEnabled: false, mailEnabled: true, mail: 'dl@contoso.example', ...overrides });
}

export function unknownKind(overrides: Partial<GraphGroup> = {}): GraphGroup {
  return base({ securityEnabled: null, mailEnabled: null, ...overrides });
}

export const KIND_BUILDERS = { microsoft365, security, mailEnabledSecurity, distribution, unknown: unknownKind } as const;
