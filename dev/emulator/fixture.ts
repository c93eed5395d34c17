/**
 * Loads a tenant from a JSON file of Graph-shaped groups, so a real tenant's export (for example the
 * output of `GET /beta/groups?$select=...`) can be replayed through the emulator.
 * Accepted shapes: `[group, ...]`, `{ "value": [...] }` (a Graph page), or
 * `{ "groups": [...], "settings": [...], "groupWritebackEnabled": bool|null, "onPremisesLastSyncDateTime": string|null }`.
 */
import { readFile } from 'node:fs/promises';
import type { GraphGroup } from './groupShape';
import { EmulatorError, errorMessage } from './errors';

/** A Graph beta directorySetting (`GET /beta/settings`); values are strings even for booleans. */
export interface DirectorySetting {
  id: string;
  displayName: string | null;
  templateId: string | null;
  values: { name: string; value: string }[];
}

export interface TenantFixture {
  groups: GraphGroup[];
  /** Undefined = the file had no settings list (the tenant's default settings apply). */
  settings?: DirectorySetting[];
  groupWritebackEnabled?: boolean | null;
  onPremisesLastSyncDateTime?: string | null;
}

function invalid(source: string, message: string): never {
  throw new EmulatorError('InvalidInput', `Emulator fixture ${source}: ${message}`, { fixture: source });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseGroups(source: string, list: unknown, where: string): GraphGroup[] {
  if (!Array.isArray(list)) invalid(source, `${where} must be an array of groups.`);
  const seen = new Set<string>();
  return list.map((item, position) => {
    if (!isObject(item)) invalid(source, `${where}[${position}] is not a JSON object.`);
    const id = item.id;
    if (typeof id !== 'string' || id.trim() === '') {
      invalid(source, `${where}[${position}] has no "id" (every group needs a string id).`);
    }
    const key = id.toLowerCase();
    if (seen.has(key)) invalid(source, `${where}[${position}] repeats the id ${id}.`);
    seen.add(key);
    const wb = item.writebackConfiguration;
    if (wb !== undefined && wb !== null && !isObject(wb)) {
      invalid(source, `${where}[${position}] (${id}) has a writebackConfiguration that is not an object.`);
    }
    return { ...item, id } as GraphGroup;
  });
}

function parseSettings(source: string, list: unknown): DirectorySetting[] {
  if (!Array.isArray(list)) invalid(source, '"settings" must be an array of directory settings.');
  return list.map((item, position) => {
    if (!isObject(item)) invalid(source, `settings[${position}] is not a JSON object.`);
    const values = item.values ?? [];
    if (!Array.isArray(values)) invalid(source, `settings[${position}].values must be an array of { name, value }.`);
    return {
      id: typeof item.id === 'string' && item.id !== '' ? item.id : `setting-${position}`,
      displayName: typeof item.displayName === 'string' ? item.displayName : null,
      templateId: typeof item.templateId === 'string' ? item.templateId : null,
      values: values.map((entry: unknown, n: number) => {
        if (!isObject(entry) || typeof entry.name !== 'string') {
          invalid(source, `settings[${position}].values[${n}] needs a string "name".`);
        }
        // Graph keeps setting values as strings; a fixture writing `false` means "false".
        const value = entry.value === undefined || entry.value === null ? '' : String(entry.value);
        return { name: entry.name, value };
      }),
    };
  });
}

/** Validates already-parsed JSON; `source` names the file in error messages. */
export function parseFixture(json: unknown, source = 'fixture'): TenantFixture {
  if (Array.isArray(json)) return { groups: parseGroups(source, json, 'the top-level array') };
  if (!isObject(json)) invalid(source, 'expected an array of groups or an object with "value" or "groups".');
  const list = json.value ?? json.groups;
  if (list === undefined) invalid(source, 'the object has neither "value" nor "groups".');
  const fixture: TenantFixture = { groups: parseGroups(source, list, json.value !== undefined ? 'value' : 'groups') };
  if (json.settings !== undefined) fixture.settings = parseSettings(source, json.settings);
  if (json.groupWritebackEnabled !== undefined) {
    if (json.groupWritebackEnabled !== null && typeof json.groupWritebackEnabled !== 'boolean') {
      invalid(source, '"groupWritebackEnabled" must be true, false or null.');
    }
    fixture.groupWritebackEnabled = json.groupWritebackEnabled;
  }
  if (json.onPremisesLastSyncDateTime !== undefined) {
    const value = json.onPremisesLastSyncDateTime;
    if (value !== null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      invalid(source, '"onPremisesLastSyncDateTime" must be an ISO date-time string or null.');
    }
    fixture.onPremisesLastSyncDateTime = value;
  }
  return fixture;
}

export async function loadFixture(path: string): Promise<TenantFixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : errorMessage(error);
    return invalid(path, `cannot be read: ${reason}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return invalid(path, `is not valid JSON (${errorMessage(error)}).`);
  }
  return parseFixture(json, path);
}
