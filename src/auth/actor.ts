/**
 * Who did something, as stored beside an approval, a revocation or an acknowledgement: the principal
 * that was signed in at the time (roles left out: they are checked at the time, not history). Records
 * made before sign-in existed carry only a typed name; they read back as `legacy`, never as verified.
 */
import type { Principal } from './principal';

export type RecordedPrincipal = Omit<Principal, 'roles'>;

export interface LegacyActor {
  kind: 'legacy';
  /** The name typed into the request body, as stored; nobody verified it. */
  name: string;
}

export type Actor = RecordedPrincipal | LegacyActor;

export function recordPrincipal(principal: Principal): RecordedPrincipal {
  const { kind, objectId, tenantId, name, userPrincipalName, appId } = principal;
  return { kind, objectId, tenantId, name, userPrincipalName, appId };
}

/** One line for people: `Alice Admin (alice@contoso.com)`, `app Change system (appId …)`, `bob (recorded by name, unverified)`. */
export function describeActor(actor: Actor | null): string {
  if (!actor) return 'nobody recorded';
  if (actor.kind === 'legacy') return `${actor.name} (recorded by name, unverified)`;
  if (actor.kind === 'app') return `app ${actor.name ?? actor.appId ?? actor.objectId}${actor.appId ? ` (appId ${actor.appId})` : ''}`;
  const upn = actor.userPrincipalName;
  if (actor.name && upn) return `${actor.name} (${upn})`;
  return actor.name ?? upn ?? actor.objectId;
}

/** Table Storage columns for an actor, all under one prefix (`requestedBy` → `requestedByObjectId`, …). */
export type ActorColumns = Record<string, string>;

export function actorColumns(prefix: string, actor: RecordedPrincipal): ActorColumns {
  const columns: ActorColumns = {
    // The plain column keeps a readable line, and is what records from before sign-in hold alone.
    [prefix]: describeActor(actor).slice(0, 400),
    [`${prefix}Kind`]: actor.kind,
    [`${prefix}ObjectId`]: actor.objectId,
    [`${prefix}TenantId`]: actor.tenantId,
  };
  if (actor.name) columns[`${prefix}Name`] = actor.name.slice(0, 400);
  if (actor.userPrincipalName) columns[`${prefix}Upn`] = actor.userPrincipalName.slice(0, 400);
  if (actor.appId) columns[`${prefix}AppId`] = actor.appId;
  return columns;
}

/** Reads the columns back; a record with only the plain column is a legacy one; none at all is null. */
export function actorFromColumns(prefix: string, entity: Readonly<Record<string, unknown>>): Actor | null {
  const text = (name: string): string | null => {
    const value = entity[name];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const kind = text(`${prefix}Kind`);
  const objectId = text(`${prefix}ObjectId`);
  if ((kind === 'user' || kind === 'app') && objectId) {
    return {
      kind,
      objectId,
      tenantId: text(`${prefix}TenantId`) ?? '',
      name: text(`${prefix}Name`),
      userPrincipalName: text(`${prefix}Upn`),
      appId: text(`${prefix}AppId`),
    };
  }
  const legacy = text(prefix);
  return legacy ? { kind: 'legacy', name: legacy } : null;
}
