import type { EntityManager } from 'typeorm';
import type { ConnectionState } from './domain/connection-policy';
import type { EventActor, Transition } from './domain/connection-transitions';
import type { InstagramTokenEntity, LoginType } from './persistence/instagram-token.entity';
import type { TokenEventEntity } from './persistence/token-event.entity';

/** A connected Instagram account as the other modules read it (the row; its token columns hold ciphertext). */
export type Connection = InstagramTokenEntity;
export type { LoginType };
export type ConnectionEvent = TokenEventEntity;

export interface EventInput {
  accountId?: number | null;
  userId?: number | null;
  type: string;
  outcome: 'success' | 'failure' | 'skipped';
  actor: EventActor;
  message?: string;
  errorCode?: string;
  /** A thrown error: a GraphError's kind, code and subcode are recorded (never its message). */
  error?: unknown;
  graph?: { code: number; subcode?: number };
  details?: Record<string, unknown>;
}

/** What a login verified for one Instagram account (plain tokens: the repository encrypts them). */
export interface VerifiedLoginPair {
  /** Default 'facebook'. Instagram Login: no Page, no Facebook user; `pageToken` is the Instagram user token. */
  loginType?: LoginType;
  igUserId: string;
  /** Instagram Login: the app-scoped id of /me. */
  igScopedUserId?: string | null;
  username: string;
  name: string | null;
  profilePictureUrl: string | null;
  pageId: string | null;
  pageName: string | null;
  fbUserId: string | null;
  /** The Facebook user token; null for Instagram Login (one token only). */
  userToken: string | null;
  /** The token Instagram calls use: the Page token (Facebook Login) or the Instagram user token (Instagram Login). */
  pageToken: string;
  userTokenExpiresAt: Date | null;
  pageTokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  issuedAt: Date | null;
  permissions: string[];
}

/** What a check verified for an existing connection (plain tokens). */
export interface VerifiedCheck {
  /** null for Instagram Login (its one token is `pageToken`). */
  userToken: string | null;
  pageToken: string;
  /**
   * The tokens are the ones the leased row holds (a routine check only verified them): their
   * stored ciphertext is kept when it is under the vault's current key (no re-encryption per check).
   */
  tokensAsStored?: boolean;
  expiresAt: Date | null;
  issuedAt: Date | null;
  userTokenExpiresAt: Date | null;
  pageTokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  permissions: string[];
  status: ConnectionState;
  nextCheckAt: Date | null;
  actor: EventActor;
  message: string;
  details: Record<string, unknown>;
}

export interface ConnectionTimes {
  expiresAt: Date | null;
  status: ConnectionState;
  nextCheckAt: Date | null;
}

export interface DueAccount {
  id: number;
  /** next_check_at in epoch milliseconds (part of the job id). */
  dueAtMs: number;
  /** next_check_at exactly as PostgreSQL has it, for the keyset cursor. */
  cursor: string;
}

/**
 * The person a Meta `signed_request` (deauthorize, data deletion) names, and through which login:
 * Facebook Login's app-scoped Facebook user id, or Instagram Login's Instagram user id (which of
 * the account's two ids Meta sends is undocumented, so both match: instagram-login.md §8). Only
 * connections made with that login are theirs: an id of one kind never matches a connection of
 * the other, however the digits collide.
 */
export interface MetaUser {
  loginType: LoginType;
  id: string;
}

/** Which of a person's connections Meta's data-deletion request covers, and what names them. */
export interface PersonAccounts {
  deleted: Array<{
    id: number;
    user_id: number;
    ig_user_id: string;
    ig_scoped_user_id: string | null;
    fb_page_id: string | null;
    instagram_username: string | null;
    instagram_name: string | null;
    fb_page_name: string | null;
  }>;
  kept: number[];
}

/** What a key rotation did: rows it moved, rows another write moved (or emptied) first, rows still under an old key. */
export interface ReencryptResult {
  moved: number;
  skipped: number;
  left: number;
}

/**
 * The one owner of `instagram_tokens` and `token_events` (STYLE.md: each table has one owner).
 * Every write to either table is a method here; ownership is built into the reads (another
 * user's id is simply not found). The abstract class is the injection token; the TypeORM
 * implementation is in persistence/. A test fails when another file writes these tables.
 */
/** What the status route shows of a connection. */
export type ConnectionSummary = Pick<
  Connection,
  | 'id'
  | 'loginType'
  | 'instagramUsername'
  | 'fbPageName'
  | 'igProfilePicture'
  | 'expiresAt'
  | 'isValid'
  | 'isConnected'
  | 'status'
  | 'lastRefreshedAt'
  | 'lastCheckedAt'
>;

export abstract class ConnectionRepository {
  // --- reads ---------------------------------------------------------------------------------
  /** The user's account, or ACCOUNT_NOT_FOUND (404) whoever else owns that id. */
  abstract findOwned(userId: number, id: number): Promise<Connection>;
  abstract findById(id: number): Promise<Connection | null>;
  /** Those of `ids` that belong to the user and are still connected. */
  abstract findConnected(userId: number, ids: number[]): Promise<Connection[]>;
  /** Everything the settings screen shows: all but the accounts the user disconnected. */
  abstract listVisible(userId: number): Promise<Connection[]>;
  /**
   * The default account (else the oldest visible) and how many are visible, in one query that
   * reads only what GET /social/status shows (never the token columns): the hottest read route.
   */
  abstract findDefaultWithCount(userId: number): Promise<{ row: ConnectionSummary | null; count: number }>;
  /** The connected account the seed's singular routes act on. */
  abstract findDefaultConnected(userId: number): Promise<Connection | null>;
  /** The route's target: the user's account `id` (else ACCOUNT_NOT_FOUND), or for 'default' the default connected one (or null). */
  target(userId: number, id: number | 'default'): Promise<Connection | null> {
    return id === 'default' ? this.findDefaultConnected(userId) : this.findOwned(userId, id);
  }
  abstract connectedIgUserIds(userId: number): Promise<Set<string>>;
  /** Other live connections, of ANY user, holding the same Facebook user's grant. */
  abstract countSharingGrant(fbUserId: string, exceptId: number): Promise<number>;
  abstract listEvents(accountId: number, limit?: number): Promise<ConnectionEvent[]>;
  /** Whether any connection of that person (through that login) was obtained before `cutoff`. */
  abstract holdsDataOf(user: MetaUser, cutoff: Date, m?: EntityManager): Promise<boolean>;
  abstract countByStatus(): Promise<Array<{ status: string; n: number }>>;
  abstract earliestExpiry(): Promise<Date | null>;

  // --- the connect flow ----------------------------------------------------------------------
  /** Insert or update in place (same id, history kept), tokens encrypted and bound to the row, with its event. */
  abstract storeVerifiedLogin(userId: number, pair: VerifiedLoginPair, times: ConnectionTimes): Promise<Connection>;
  abstract setDefault(userId: number, id: number): Promise<void>;

  // --- checks ---------------------------------------------------------------------------------
  /**
   * Takes the account for one check run (conditional UPDATE; the row comes back), unless another
   * run holds it or a user check ran within `unlessUserCheckedWithinMs`.
   */
  abstract acquireLease(accountId: number, leaseMs: number, unlessUserCheckedWithinMs: number): Promise<Connection | null>;
  abstract releaseLease(
    row: Connection,
    extra?: { lastCheckedAt?: Date; lastErrorCode?: string; statusReason?: string },
  ): Promise<void>;
  /** Stores what a check verified, with its event, in one statement; null when the lease was lost. */
  abstract storeVerifiedCheck(row: Connection, check: VerifiedCheck): Promise<Connection | null>;
  /** Applies a status change to one account if its version is unchanged, with its event; false otherwise. */
  abstract apply(row: Connection, t: Transition): Promise<boolean>;
  abstract recordEvent(input: EventInput, m?: EntityManager): Promise<void>;

  // --- Meta's notices --------------------------------------------------------------------------
  /** Every connection of that person (through that login) obtained before `obtainedBefore` becomes revoked (in `m`). */
  abstract revokeMetaUser(user: MetaUser, obtainedBefore: Date, t: Transition, m: EntityManager): Promise<Connection[]>;
  /** A needed permission was removed: the matching live connections need a reconnect. */
  abstract permissionRevoked(fbUserId: string, targetIds: string[], t: Transition): Promise<Connection[]>;
  /** What a data-deletion request covers, before anything is deleted (in `m`, rows locked). */
  abstract personAccounts(user: MetaUser, cutoff: Date, m: EntityManager): Promise<PersonAccounts>;
  /**
   * Data deletion (in `m`): deletes the covered connections and every event that names the person
   * (of the covered accounts, or of `owners` whose text matches `patterns`, sparing kept accounts),
   * then records one `data_deletion` event per owner.
   */
  abstract deletePersonAccounts(
    covered: PersonAccounts,
    owners: number[],
    patterns: string[],
    requestId: number,
    m: EntityManager,
  ): Promise<void>;

  // --- the scheduler ---------------------------------------------------------------------------
  abstract countDue(now: Date): Promise<number>;
  abstract duePage(now: Date, after: { cursor: string; id: number } | null, limit: number): Promise<DueAccount[]>;
  /** Moves a check that ended without moving next_check_at to `at` (conditional). */
  abstract deferIfUnchanged(accountId: number, dueAtMs: number, at: Date): Promise<boolean>;

  // --- key rotation ----------------------------------------------------------------------------
  /**
   * Moves every stored token to the vault's current key, alongside live checks (no lease taken,
   * no version bump); one event per account moved.
   */
  abstract reencryptAll(batch?: number, onProgress?: (done: number, total: number) => void): Promise<ReencryptResult>;
}
