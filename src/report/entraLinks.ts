/**
 * Links from report rows to the group in the Microsoft Entra admin center.
 *
 * The link is a HYPERLINK formula, not a cell hyperlink: exceljs' streaming writer keeps every cell hyperlink
 * in memory until its sheet is committed and buffers the sheet's relationship part behind the sheet in the
 * zip (lib/stream/xlsx/sheet-rels-writer.js), about 330 bytes a row; a formula costs nothing once its row is
 * committed. The formula is built only from the validated portal base URL and a group id that is a GUID,
 * never from other text Graph returns, so no name or other Graph value can reach a formula.
 */
import { WritebackWatchError } from '../errors';
import type { ReportCell } from './cells';
import { EMPTY, STYLES } from './cells';

export const DEFAULT_ENTRA_PORTAL_BASE_URL = 'https://entra.microsoft.com';

const GROUP_BLADE_PATH = '/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Excel's HYPERLINK accepts a link location of at most 255 characters. */
const MAX_LINK_CHARS = 255;
export const LINK_LABEL = 'Open in Entra';

/** The portal origin (and path prefix) links point at: https, no query or fragment, no trailing slash. */
export function portalBaseUrl(value: string = DEFAULT_ENTRA_PORTAL_BASE_URL): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WritebackWatchError('InvalidInput', `Entra portal base URL "${value.slice(0, 100)}" is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new WritebackWatchError(
      'InvalidInput',
      `Entra portal base URL "${value.slice(0, 100)}" must be a plain https URL such as ${DEFAULT_ENTRA_PORTAL_BASE_URL}.`,
    );
  }
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  if (base.length + GROUP_BLADE_PATH.length + 36 > MAX_LINK_CHARS) {
    throw new WritebackWatchError('InvalidInput', `Entra portal base URL "${value.slice(0, 100)}" is too long for an Excel link.`);
  }
  return base;
}

/** The group's overview page in the Entra admin center, or null when the id is not a GUID. */
export function entraGroupUrl(groupId: string, baseUrl: string = DEFAULT_ENTRA_PORTAL_BASE_URL): string | null {
  return groupUrl(groupId, portalBaseUrl(baseUrl));
}

/**
 * A function giving each group its link cell (empty when no safe link can be built), with the base URL
 * validated once instead of once per row.
 */
export function groupLinker(baseUrl: string = DEFAULT_ENTRA_PORTAL_BASE_URL): (groupId: string) => ReportCell {
  const base = portalBaseUrl(baseUrl);
  return (groupId) => {
    const url = groupUrl(groupId, base);
    if (url === null) return EMPTY;
    // Both strings are ours (validated URL, fixed label); quotes are doubled anyway, as Excel string literals need.
    const formula = `HYPERLINK("${url.replace(/"/g, '""')}","${LINK_LABEL}")`;
    return { value: { formula, result: LINK_LABEL }, style: STYLES.link };
  };
}

function groupUrl(groupId: string, validatedBase: string): string | null {
  return GUID.test(groupId) ? `${validatedBase}${GROUP_BLADE_PATH}${groupId.toLowerCase()}` : null;
}
