import { describe, expect, it } from 'vitest';
import { normalizeOnPremisesGroupType, readWritebackSettings } from '../../src/classify/normalize';
import type { GraphGroup } from '../../src/model';

describe('normalizeOnPremisesGroupType', () => {
  it.each([
    ['universalDistributionGroup', 'universalDistributionGroup'],
    ['UniversalSecurityGroup', 'universalSecurityGroup'],
    ['UNIVERSALMAILENABLEDSECURITYGROUP', 'universalMailEnabledSecurityGroup'],
    ['universalsecuritygroup', 'universalSecurityGroup'],
    [' universalSecurityGroup', null],
    ['globalSecurityGroup', null],
    ['', null],
    [null, null],
    [undefined, null],
  ] as const)('%j -> %j', (raw, normalized) => {
    expect(normalizeOnPremisesGroupType(raw)).toBe(normalized);
  });
});

describe('readWritebackSettings', () => {
  const read = (config: unknown) => readWritebackSettings({ id: 'x', writebackConfiguration: config } as GraphGroup);

  it('reads a missing object as both null', () => {
    const expected = { isEnabled: null, onPremisesGroupTypeRaw: null, onPremisesGroupType: null, targetSet: false, targetUnknown: false };
    expect(read(undefined)).toEqual(expected);
    expect(read(null)).toEqual(expected);
    expect(read('disabled')).toEqual(expected);
    expect(readWritebackSettings({ id: 'x' })).toEqual(expected);
  });

  it('marks set and unrecognised targets', () => {
    expect(read({ isEnabled: false, onPremisesGroupType: 'UniversalDistributionGroup' })).toEqual({
      isEnabled: false,
      onPremisesGroupTypeRaw: 'UniversalDistributionGroup',
      onPremisesGroupType: 'universalDistributionGroup',
      targetSet: true,
      targetUnknown: false,
    });
    expect(read({ isEnabled: true, onPremisesGroupType: 'nope' })).toMatchObject({ targetSet: true, targetUnknown: true });
    expect(read({ isEnabled: true, onPremisesGroupType: '' })).toMatchObject({ onPremisesGroupTypeRaw: '', targetSet: false, targetUnknown: false });
    expect(read({ isEnabled: 1, onPremisesGroupType: [1] })).toMatchObject({ isEnabled: null, onPremisesGroupTypeRaw: '[1]', targetUnknown: true });
  });
});
