/** How an attribution reads to a person (workbook cells, Teams card, email). Pure. */
import type { AttributionStatus } from '../model';

export const STATUS_LABELS: Record<AttributionStatus, string> = {
  confirmed: 'confirmed',
  candidate: 'candidate',
  notFound: 'not found',
  pending: 'pending',
  agedOut: 'aged out',
  noPermission: 'no permission',
  noLicence: 'no licence',
  throttled: 'throttled',
};

/** The fields the presenters need; both ChangeAttribution and an alert's AlertAttribution have them. */
export interface AttributionView {
  status: AttributionStatus;
  actor: { display: string } | null;
  changedAt: string | null;
  note: string;
}

const utc = (iso: string): string => `${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC`;

/** "Ada Lovelace <ada@contoso.com> at 2026-03-02 14:07:55 UTC"; "possibly ..." for a candidate; null without an actor. */
export function changedByText(attribution: AttributionView | null | undefined): string | null {
  if (!attribution?.actor) return null;
  const when = attribution.changedAt ? ` at ${utc(attribution.changedAt)}` : '';
  return `${attribution.status === 'candidate' ? 'possibly ' : ''}${attribution.actor.display}${when}`;
}

/** "confirmed: An audit event on this group names ..." */
export function attributionText(attribution: AttributionView | null | undefined): string | null {
  if (!attribution) return null;
  return `${STATUS_LABELS[attribution.status]}: ${attribution.note}`;
}
