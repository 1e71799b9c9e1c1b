/**
 * A status change of a connection is one pure transition: the columns it sets and clears, and
 * its audit event (DESIGN.md section 5). Written once here, applied by the connection repository
 * whichever caller asks (a check, Meta's callbacks, the user). Pure: `now` is passed in.
 */
import type { ConnectionState } from './connection-policy';

export type EventActor = 'user' | 'scheduler' | 'worker' | 'meta' | 'system';

/** The columns a transition writes (names as on the entity). Absent: left as they are. */
export interface ConnectionPatch {
  status: ConnectionState;
  isValid: boolean;
  statusReason: string | null;
  lastErrorCode: string | null;
  nextCheckAt: null;
  leaseUntil: null;
  lastCheckedAt?: Date;
  longLivedToken?: null;
  accessToken?: null;
  tokenKeyId?: null;
  isConnected?: boolean;
  isDefault?: boolean;
  disconnectedAt?: Date;
}

export interface EventDraft {
  type: string;
  outcome: 'success' | 'failure';
  actor: EventActor;
  message: string;
  errorCode?: string;
  graph?: { code: number; subcode?: number };
  details?: Record<string, unknown>;
}

export type Transition =
  /** Only the user can fix it (Meta refused the token, a permission or the Page went). Tokens kept. */
  | {
      to: 'needs_reconnect';
      actor: EventActor;
      /** The event's type: what was being done when it was found (refresh, probe, permission_revoked, …). */
      during: string;
      reason: string;
      errorCode: string;
      graph?: { code: number; subcode?: number };
      details?: Record<string, unknown>;
    }
  /** The grant is gone at Facebook (app removed): its tokens are useless and are deleted. */
  | {
      to: 'revoked';
      actor: EventActor;
      during: string;
      reason: string;
      errorCode: string;
      graph?: { code: number; subcode?: number };
      eventMessage?: string;
    }
  /** The user disconnected: tokens deleted, no longer listed, no longer the default. */
  | { to: 'disconnected'; actor: 'user'; note: string; revokedAtFacebook: boolean };

export function applyTransition(t: Transition, now: Date): { patch: ConnectionPatch; event: EventDraft } {
  switch (t.to) {
    case 'needs_reconnect':
      return {
        patch: {
          status: 'needs_reconnect',
          isValid: false,
          statusReason: t.reason,
          lastErrorCode: t.errorCode,
          lastCheckedAt: now,
          nextCheckAt: null,
          leaseUntil: null,
        },
        event: {
          type: t.during,
          outcome: 'failure',
          actor: t.actor,
          message: t.reason,
          errorCode: t.errorCode,
          graph: t.graph,
          details: t.details,
        },
      };
    case 'revoked':
      return {
        patch: {
          status: 'revoked',
          isValid: false,
          statusReason: t.reason,
          lastErrorCode: t.errorCode,
          lastCheckedAt: now,
          nextCheckAt: null,
          leaseUntil: null,
          longLivedToken: null,
          accessToken: null,
          tokenKeyId: null,
        },
        event: {
          type: t.during,
          outcome: t.actor === 'meta' ? 'success' : 'failure',
          actor: t.actor,
          message: t.eventMessage ?? t.reason,
          errorCode: t.errorCode,
          graph: t.graph,
        },
      };
    case 'disconnected':
      return {
        patch: {
          status: 'disconnected',
          isValid: false,
          statusReason: null,
          lastErrorCode: null,
          nextCheckAt: null,
          leaseUntil: null,
          longLivedToken: null,
          accessToken: null,
          tokenKeyId: null,
          isConnected: false,
          isDefault: false,
          disconnectedAt: now,
        },
        event: {
          type: 'disconnect',
          outcome: 'success',
          actor: t.actor,
          message: `Disconnected; ${t.note}.`,
          details: { revoked_at_facebook: t.revokedAtFacebook },
        },
      };
  }
}
