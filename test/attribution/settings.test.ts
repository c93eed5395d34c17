import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors';
import { testSettings } from '../helpers/settings';

describe('audit attribution settings', () => {
  it('defaults to on, 50 requests, 30 minutes of grace, 30 days of retention and two writeback patterns', () => {
    expect(testSettings().audit).toEqual({
      enabled: true,
      maxPages: 50,
      latencyGraceMs: 30 * 60_000,
      retentionDays: 30,
      writebackPropertyPatterns: ['writeback', 'onpremisesgrouptype'],
    });
  });

  it('reads a pattern list case-insensitively and refuses one that would match almost anything', () => {
    expect(testSettings({ AUDIT_WRITEBACK_PROPERTY_PATTERNS: ' GroupWriteBack , OnPremGroupType ' }).audit.writebackPropertyPatterns).toEqual(['groupwriteback', 'onpremgrouptype']);
    expect(() => testSettings({ AUDIT_WRITEBACK_PROPERTY_PATTERNS: 'wb' })).toThrow(ConfigurationError);
    expect(() => testSettings({ AUDIT_WRITEBACK_PROPERTY_PATTERNS: ',,' })).toThrow(/AUDIT_WRITEBACK_PROPERTY_PATTERNS/);
    expect(() => testSettings({ AUDIT_WRITEBACK_PROPERTY_PATTERNS: 'write.*back' })).toThrow(/letters, digits/);
    expect(() => testSettings({ AUDIT_RETENTION_DAYS: '90' })).toThrow(/between 1 and 30/);
  });
});
