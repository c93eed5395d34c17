/**
 * Reads local.settings.json the way `func start` does: its Values become app settings (environment variables)
 * unless the environment already sets them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors';

export interface LocalSettingsFile {
  Values?: Record<string, string>;
  Host?: { LocalHttpPort?: number };
}

export function readLocalSettings(path: string): LocalSettingsFile | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalSettingsFile;
  } catch (error) {
    throw new ConfigurationError(`${path} is not valid JSON (${(error as Error).message}). Copy local.settings.sample.json again and edit it.`, path);
  }
}

export function mergeLocalSettings(env: NodeJS.ProcessEnv, file: LocalSettingsFile | null): Record<string, string | undefined> {
  return { ...(file?.Values ?? {}), ...env };
}
