/**
 * Reading a Graph group defensively. Graph objects can be sparse (fields missing from `$select` results or
 * from fixtures) and tools that write them are not always careful (Terraform's azuread provider sends
 * `UniversalSecurityGroup`), so every reader here accepts `unknown` and never throws: a value of the wrong
 * type reads as absent, and the classification then reports the group instead of crashing the scan.
 */
import { ON_PREMISES_GROUP_TYPES, type GraphGroup, type OnPremisesGroupType, type RawWritebackValues } from '../model';

const TYPES_BY_LOWER_CASE: ReadonlyMap<string, OnPremisesGroupType> = new Map(
  ON_PREMISES_GROUP_TYPES.map((type) => [type.toLowerCase(), type]),
);

/** `true`/`false` when Graph sent a boolean; anything else (missing, null, "true", 1) is null. */
export function readBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function readString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The string entries of an array, in order; a missing or non-array value is an empty list. */
export function readStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

export function containsIgnoringCase(values: readonly string[], wanted: string): boolean {
  const lower = wanted.toLowerCase();
  return values.some((value) => value.toLowerCase() === lower);
}

/**
 * The camelCase spelling of a recognised onPremisesGroupType, compared case-insensitively, else null.
 * Casing-only differences are never a change, so the diff compares this value, not the raw one.
 */
export function normalizeOnPremisesGroupType(raw: string | null | undefined): OnPremisesGroupType | null {
  if (typeof raw !== 'string') return null;
  return TYPES_BY_LOWER_CASE.get(raw.toLowerCase()) ?? null;
}

export interface WritebackSettings {
  isEnabled: boolean | null;
  /** As sent, casing kept; a non-string value is kept as its JSON text so a report can show it. */
  onPremisesGroupTypeRaw: string | null;
  onPremisesGroupType: OnPremisesGroupType | null;
  /** A target type is configured (Graph then never lets it return to null, msgraph-metadata issue 332). */
  targetSet: boolean;
  /** A target type is configured but is none of the three Graph values. */
  targetUnknown: boolean;
}

/**
 * `writebackConfiguration`, with a missing (or non-object) value read exactly like
 * `{ isEnabled: null, onPremisesGroupType: null }`: some responses omit the object for never-configured groups.
 */
export function readWritebackSettings(group: GraphGroup): WritebackSettings {
  const config: unknown = group.writebackConfiguration;
  const fields: Record<string, unknown> = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  const isEnabled = readBoolean(fields['isEnabled']);
  const onPremisesGroupTypeRaw = rawText(fields['onPremisesGroupType']);
  const onPremisesGroupType = normalizeOnPremisesGroupType(onPremisesGroupTypeRaw);
  // A blank string names no target: Entra Connect has nothing to act on, so it reads as "not set" (the raw
  // value is still kept for display). Any other unrecognised value counts as set, and is flagged.
  const targetSet = onPremisesGroupTypeRaw !== null && onPremisesGroupTypeRaw.trim() !== '';
  return {
    isEnabled,
    onPremisesGroupTypeRaw,
    onPremisesGroupType,
    targetSet,
    targetUnknown: targetSet && onPremisesGroupType === null,
  };
}

function rawText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The same settings, read back from the raw values a classified (or stored) group keeps. */
export function writebackSettingsOf(raw: Pick<RawWritebackValues, 'isEnabled' | 'onPremisesGroupType' | 'onPremisesGroupTypeNormalized'>): WritebackSettings {
  const onPremisesGroupTypeRaw = raw.onPremisesGroupType;
  const targetSet = onPremisesGroupTypeRaw !== null && onPremisesGroupTypeRaw.trim() !== '';
  return {
    isEnabled: raw.isEnabled,
    onPremisesGroupTypeRaw,
    onPremisesGroupType: raw.onPremisesGroupTypeNormalized,
    targetSet,
    targetUnknown: targetSet && raw.onPremisesGroupTypeNormalized === null,
  };
}
