import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SANDBOX_INSTAGRAM_APP_ID, SANDBOX_INSTAGRAM_APP_SECRET } from '../config/app-config';
import { InstagramLoginModel } from './instagram-login-state';
import { ReelsModel } from './reels-state';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-sender';

/** Lifetimes Meta uses (graph-api.md §2-§4); all measured on the sandbox clock. */
export const SHORT_LIVED_USER_TOKEN_SECONDS = 7_200;
export const LONG_LIVED_USER_TOKEN_SECONDS = 5_184_000;
export const SHORT_PAGE_TOKEN_SECONDS = 3_600;
export const DATA_ACCESS_SECONDS = 90 * 86_400;
export const CODE_LIFETIME_SECONDS = 600;
export const DEFAULT_GRAPH_VERSION = 'v25.0';
/**
 * The Facebook Login for Business configuration every fresh sandbox has (the App Dashboard's
 * "Configurations"): a user access token asking for what an Instagram publishing app needs.
 */
export const SEEDED_LOGIN_CONFIG_ID = '700000000000001';
const SEEDED_LOGIN_CONFIG_PERMISSIONS = [
  'instagram_basic',
  'instagram_content_publish',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_metadata',
  'business_management',
];
export const ALL_PAGE_TASKS = ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'];

export interface SandboxApp {
  id: string;
  secret: string;
  name: string;
  redirectUris: string[];
  /** Facebook Login for Business configurations: config_id → the permissions it asks for. */
  loginConfigs: Map<string, string[]>;
}

export interface SandboxUser {
  id: string;
  name: string;
}

export interface SandboxPage {
  id: string;
  name: string;
  category: string;
  /** userId → Page tasks of that user. */
  roles: Map<string, string[]>;
  instagramId?: string;
  /** appId → subscribed webhook fields. */
  subscriptions: Map<string, string[]>;
}

export interface SandboxIgAccount {
  id: string;
  pageId: string;
  username: string;
  name?: string;
  profilePictureUrl?: string;
  biography?: string;
  website?: string;
  followersCount: number;
  followsCount: number;
  mediaCount: number;
}

export type SandboxTokenType = 'USER' | 'PAGE' | 'APP';

export interface SandboxToken {
  value: string;
  type: SandboxTokenType;
  appId: string;
  userId?: string;
  /** Page tokens only: the Page they act as. */
  pageId?: string;
  issuedAt: number;
  /** Epoch seconds; 0 = never expires. */
  expiresAt: number;
  longLived: boolean;
  /** Set once the token is killed (458, 460, 463, 467, 492); the first cause wins. */
  invalidSubcode?: number;
}

/** What a user granted an app: permissions and the Pages ticked in the dialog. */
export interface SandboxGrant {
  appId: string;
  userId: string;
  granted: Set<string>;
  declined: Set<string>;
  pageIds: string[];
  dataAccessExpiresAt: number;
}

/**
 * Per-user overrides of token lifetimes (control API `POST /users/:id/token-lifetimes`), so tests can
 * make the token endpoint's `expires_in` disagree with debug_token, or make the Page token or the
 * data access the earliest expiry. Unset fields keep Meta's defaults.
 */
export interface TokenLifetimes {
  /** Real lifetime (debug_token `expires_at`) of long-lived user tokens issued from now on. */
  userTokenSeconds?: number;
  /** Page tokens derived from now on expire after this long, even from a long-lived user token (Meta: never). */
  pageTokenSeconds?: number;
  /** The token endpoint reports this `expires_in` for the user's tokens, whatever their real expiry. */
  reportedExpiresIn?: number;
  /** Data access lasts this long from each approval (and from the moment it is set, for the current grant). */
  dataAccessSeconds?: number;
}

export interface AuthCode {
  value: string;
  appId: string;
  userId: string;
  redirectUri: string;
  createdAt: number;
  used: boolean;
}

export interface UsageSettings {
  call_count: number;
  total_cputime: number;
  total_time: number;
  estimated_time_to_regain_access: number;
}

export interface FaultSpec {
  /** Substring of, or a regular expression source matched against, the path without its version prefix. */
  path: string;
  method?: string;
  count?: number;
  error?: { code: number; subcode?: number; message?: string; type?: string; http_status?: number; is_transient?: boolean };
  http_status?: number;
  /** Never answer; the connection is released when the client gives up or the sandbox closes. */
  timeout?: boolean;
  latency_ms?: number;
  usage?: Partial<UsageSettings>;
  /**
   * Handle the call normally (e.g. `media_publish` really publishes), then close the connection
   * without an answer: the client cannot tell whether Meta acted.
   */
  drop_response?: boolean;
}

export interface SandboxFault extends FaultSpec {
  id: string;
  remaining: number;
}

export interface CallRecord {
  method: string;
  path: string;
  version: string | null;
  query: Record<string, string>;
  body_keys: string[];
  status: number;
  time: string;
  fault_id?: string;
  /** A part of a batch request (its round trip is the batch's). */
  batch?: true;
}

export interface SandboxSettings {
  /** Code exchange returns a ~60-day token (as Meta often does in practice) instead of ~2 h. */
  codeExchangeLongLived: boolean;
  /** Leave `expires_in` out of token responses (observed in the wild). */
  omitExpiresIn: boolean;
  /** Test switch: long → long exchange yields a fresh 60 days and a new string (Meta does NOT do this). */
  longLivedExchangeExtends: boolean;
  requireAppSecretProof: boolean;
  latencyMs: number;
  /** Values for X-App-Usage / X-Business-Use-Case-Usage; null = omit the headers. */
  usage: UsageSettings | null;
  pageSizeDefault: number;
}

export interface SandboxStateOptions {
  appId: string;
  appSecret: string;
  redirectUris: string[];
  requireAppSecretProof: boolean;
  seed: boolean;
  /** Where the sandbox sends Meta's callbacks (deauthorize, data deletion, webhooks). */
  webhooks?: Partial<WebhookSettings>;
  /** The Instagram app of Instagram Login (its own id and secret). */
  instagramApp?: { id: string; secret: string };
  /** Default: each of `redirectUris` followed by `/instagram`. */
  instagramRedirectUris?: string[];
}

/** Parameter names whose values are secrets and never appear in the calls log. */
export const SECRET_PARAMS = new Set([
  'access_token',
  'input_token',
  'fb_exchange_token',
  'client_secret',
  'code',
  'appsecret_proof',
]);

const DEFAULT_USAGE: UsageSettings = { call_count: 1, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 0 };

function defaultSettings(requireAppSecretProof: boolean): SandboxSettings {
  return {
    codeExchangeLongLived: false,
    omitExpiresIn: false,
    longLivedExchangeExtends: false,
    requireAppSecretProof,
    latencyMs: 0,
    usage: { ...DEFAULT_USAGE },
    pageSizeDefault: 25,
  };
}

/** Opaque, alphanumeric like Meta's `EAAG…` tokens. */
function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length)
    out += randomBytes(length)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
  return out.slice(0, length);
}

const PALETTE = ['#c2410c', '#0f766e', '#7c3aed', '#be123c', '#1d4ed8', '#4d7c0f'];

/** A self-contained avatar so profile pictures need no external network. */
export function avatarDataUri(seed: string, label: string): string {
  const color = PALETTE[[...seed].reduce((a, c) => a + c.charCodeAt(0), 0) % PALETTE.length];
  const initials = label
    .replace(/[^A-Za-z0-9 .]/g, '')
    .split(/[ .]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="150" viewBox="0 0 150 150"><rect width="150" height="150" rx="75" fill="${color}"/><text x="75" y="92" font-family="sans-serif" font-size="56" fill="#fff" text-anchor="middle">${initials}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function appSecretProof(appSecret: string, token: string): string {
  return createHmac('sha256', appSecret).update(token).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The whole in-memory world of the sandbox: one app, test users, Pages, IG accounts, tokens,
 * codes, the clock, injected faults, the calls log and switches. Routes stay thin; rules live here.
 */
export class SandboxState {
  app: SandboxApp;
  users = new Map<string, SandboxUser>();
  pages = new Map<string, SandboxPage>();
  igAccounts = new Map<string, SandboxIgAccount>();
  tokens = new Map<string, SandboxToken>();
  grants = new Map<string, SandboxGrant>();
  codes = new Map<string, AuthCode>();
  /** `${userToken}:${pageId}` → Page token, so repeated /me/accounts calls return the same Page token. */
  pageTokenCache = new Map<string, string>();
  faults: SandboxFault[] = [];
  calls: CallRecord[] = [];
  settings: SandboxSettings;
  clockOffsetMs = 0;
  /** userId → lifetime overrides (see TokenLifetimes). */
  lifetimes = new Map<string, TokenLifetimes>();
  /** Targets and retry policy of outgoing callbacks (webhook-sender.ts). */
  webhooks: WebhookSettings;
  /** Reels publishing: containers, uploads, quota, published media (reels-state.ts). */
  readonly reels = new ReelsModel(() => this.now());
  /** Instagram Login: its app, accounts, codes and IGAA tokens (instagram-login-state.ts). */
  readonly instagram: InstagramLoginModel;
  private seq = { user: 100, page: 100, ig: 100, fault: 0 };

  constructor(private readonly opts: SandboxStateOptions) {
    this.app = {
      id: opts.appId,
      secret: opts.appSecret,
      name: 'AutoReels Sandbox App',
      redirectUris: [...opts.redirectUris],
      loginConfigs: seededLoginConfigs(),
    };
    this.settings = defaultSettings(opts.requireAppSecretProof);
    this.webhooks = { ...DEFAULT_WEBHOOK_SETTINGS, ...opts.webhooks };
    this.instagram = new InstagramLoginModel(
      () => this.now(),
      opts.instagramApp ?? { id: SANDBOX_INSTAGRAM_APP_ID, secret: SANDBOX_INSTAGRAM_APP_SECRET },
      opts.instagramRedirectUris ?? opts.redirectUris.map((u) => `${u.replace(/\/+$/, '')}/instagram`),
    );
    if (opts.seed) this.seedDefaults();
  }

  /** Back to a fresh world (settings, clock and faults included). */
  reset(seed = true): void {
    this.users.clear();
    this.pages.clear();
    this.igAccounts.clear();
    this.tokens.clear();
    this.grants.clear();
    this.codes.clear();
    this.pageTokenCache.clear();
    this.reels.reset();
    this.lifetimes.clear();
    this.instagram.reset(false); // seeded below with the rest
    this.faults = [];
    this.calls = [];
    this.clockOffsetMs = 0;
    this.seq = { user: 100, page: 100, ig: 100, fault: 0 };
    this.app.redirectUris = [...this.opts.redirectUris];
    this.app.loginConfigs = seededLoginConfigs();
    this.settings = defaultSettings(this.opts.requireAppSecretProof);
    this.webhooks = { ...DEFAULT_WEBHOOK_SETTINGS, ...this.opts.webhooks };
    if (seed) this.seedDefaults();
  }

  // ---- Clock -------------------------------------------------------------------------------

  /** Milliseconds since epoch on the sandbox clock (real time + offset). */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  setClock(at: Date): void {
    this.clockOffsetMs = at.getTime() - Date.now();
  }

  // ---- World building ----------------------------------------------------------------------

  seedDefaults(): void {
    this.instagram.seed();
    this.addUser({ id: '10000000000000001', name: 'Alex Rivera' });
    this.addUser({ id: '10000000000000002', name: 'Sam Lee' });
    this.addPage({ id: '110000000000001', userId: '10000000000000001', name: 'Acme Coffee', category: 'Coffee Shop' });
    this.addPage({
      id: '110000000000002',
      userId: '10000000000000001',
      name: 'Acme Roastery',
      category: 'Food & Beverage Company',
    });
    this.addPage({ id: '110000000000003', userId: '10000000000000001', name: 'Acme Events', category: 'Event Planner' });
    this.addPage({ id: '110000000000004', userId: '10000000000000002', name: "Sam's Studio", category: 'Artist' });
    this.addPage({ id: '110000000000005', userId: '10000000000000002', name: "Sam's Drafts", category: 'Personal Blog' });
    this.addInstagramAccount({
      id: '17841400000000001',
      pageId: '110000000000001',
      username: 'acme.coffee',
      name: 'Acme Coffee',
    });
    this.addInstagramAccount({
      id: '17841400000000002',
      pageId: '110000000000002',
      username: 'acme.roastery',
      name: 'Acme Roastery',
    });
    this.addInstagramAccount({
      id: '17841400000000003',
      pageId: '110000000000004',
      username: 'sam.studio',
      name: "Sam's Studio",
    });
  }

  addUser(input: { name: string; id?: string }): SandboxUser {
    const id = input.id ?? `1000000000000${String(++this.seq.user).padStart(4, '0')}`;
    if (this.users.has(id)) throw new Error(`user ${id} already exists`);
    const user = { id, name: input.name };
    this.users.set(id, user);
    return user;
  }

  addPage(input: {
    userId: string;
    name: string;
    id?: string;
    category?: string;
    tasks?: string[];
    instagram?: { username: string; name?: string; profilePictureUrl?: string; id?: string };
  }): SandboxPage {
    if (!this.users.has(input.userId)) throw new Error(`unknown user ${input.userId}`);
    const id = input.id ?? `1100000000${String(++this.seq.page).padStart(5, '0')}`;
    if (this.pages.has(id)) throw new Error(`page ${id} already exists`);
    const page: SandboxPage = {
      id,
      name: input.name,
      category: input.category ?? 'Brand',
      roles: new Map([[input.userId, input.tasks ?? [...ALL_PAGE_TASKS]]]),
      subscriptions: new Map(),
    };
    this.pages.set(id, page);
    if (input.instagram) this.addInstagramAccount({ ...input.instagram, pageId: id });
    return page;
  }

  addInstagramAccount(input: {
    pageId: string;
    username: string;
    id?: string;
    name?: string;
    profilePictureUrl?: string;
    biography?: string;
    website?: string;
    followersCount?: number;
    mediaCount?: number;
  }): SandboxIgAccount {
    const page = this.pages.get(input.pageId);
    if (!page) throw new Error(`unknown page ${input.pageId}`);
    if (page.instagramId) throw new Error(`page ${input.pageId} already has an Instagram account`);
    const id = input.id ?? `178414000000${String(++this.seq.ig).padStart(5, '0')}`;
    if (this.igAccounts.has(id)) throw new Error(`instagram account ${id} already exists`);
    const ig: SandboxIgAccount = {
      id,
      pageId: page.id,
      username: input.username,
      name: input.name,
      profilePictureUrl: input.profilePictureUrl ?? avatarDataUri(id, input.name ?? input.username),
      biography: input.biography,
      website: input.website,
      followersCount: input.followersCount ?? 1000 + (Number(id.slice(-3)) % 500),
      followsCount: 42,
      mediaCount: input.mediaCount ?? 12,
    };
    this.igAccounts.set(id, ig);
    page.instagramId = id;
    return ig;
  }

  addPageRole(pageId: string, userId: string, tasks: string[] = [...ALL_PAGE_TASKS]): void {
    const page = this.pages.get(pageId);
    if (!page || !this.users.has(userId)) throw new Error('unknown page or user');
    page.roles.set(userId, tasks);
  }

  // ---- Grants and codes --------------------------------------------------------------------

  grantKey(appId: string, userId: string): string {
    return `${appId}:${userId}`;
  }

  grantFor(appId: string, userId: string): SandboxGrant | undefined {
    return this.grants.get(this.grantKey(appId, userId));
  }

  /**
   * Records a dialog approval with Meta's merge rules: permissions granted before stay granted,
   * declined ones stay declined unless asked again (`rerequest`/`reauthorize`), and the Page
   * selection is reused unless `reauthorize` (graph-api.md §1, §4).
   */
  approve(input: {
    userId: string;
    requested: string[];
    declinedByUser: string[];
    pageIds: string[];
    authType?: string;
  }): SandboxGrant {
    const prior = this.grantFor(this.app.id, input.userId);
    const reask = input.authType === 'rerequest' || input.authType === 'reauthorize';
    const requested = new Set(['public_profile', ...input.requested]);
    const granted = new Set(prior?.granted ?? []);
    const declined = new Set(prior?.declined ?? []);
    for (const perm of requested) {
      if (prior?.declined.has(perm) && !reask) continue; // not asked again: stays declined
      if (perm !== 'public_profile' && input.declinedByUser.includes(perm)) {
        granted.delete(perm);
        declined.add(perm);
      } else {
        granted.add(perm);
        declined.delete(perm);
      }
    }
    const keepPages = prior && input.authType !== 'reauthorize';
    const grant: SandboxGrant = {
      appId: this.app.id,
      userId: input.userId,
      granted,
      declined,
      pageIds: keepPages ? prior.pageIds : [...new Set(input.pageIds)],
      dataAccessExpiresAt: this.nowSeconds() + (this.lifetimes.get(input.userId)?.dataAccessSeconds ?? DATA_ACCESS_SECONDS),
    };
    this.grants.set(this.grantKey(grant.appId, grant.userId), grant);
    return grant;
  }

  issueCode(userId: string, redirectUri: string): AuthCode {
    const code: AuthCode = {
      value: `AQ${randomAlnum(150)}`,
      appId: this.app.id,
      userId,
      redirectUri,
      createdAt: this.nowSeconds(),
      used: false,
    };
    this.codes.set(code.value, code);
    return code;
  }

  // ---- Tokens ------------------------------------------------------------------------------

  issueUserToken(userId: string, longLived: boolean): SandboxToken {
    const now = this.nowSeconds();
    const longSeconds = this.lifetimes.get(userId)?.userTokenSeconds ?? LONG_LIVED_USER_TOKEN_SECONDS;
    const token: SandboxToken = {
      value: `EAA${randomAlnum(180)}`,
      type: 'USER',
      appId: this.app.id,
      userId,
      issuedAt: now,
      expiresAt: now + (longLived ? longSeconds : SHORT_LIVED_USER_TOKEN_SECONDS),
      longLived,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  issueAppToken(): SandboxToken {
    const token: SandboxToken = {
      value: `${this.app.id}|${randomAlnum(27)}`,
      type: 'APP',
      appId: this.app.id,
      issuedAt: this.nowSeconds(),
      expiresAt: 0,
      longLived: true,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Page token derived from a user token: never expires from a long-lived one, 1 h otherwise (§4). */
  pageTokenFor(userToken: SandboxToken, pageId: string): SandboxToken {
    const key = `${userToken.value}:${pageId}`;
    const cached = this.pageTokenCache.get(key);
    const existing = cached ? this.tokens.get(cached) : undefined;
    if (existing && !this.tokenProblem(existing)) return existing;
    const now = this.nowSeconds();
    const pageSeconds = this.lifetimes.get(userToken.userId ?? '')?.pageTokenSeconds;
    const token: SandboxToken = {
      value: `EAA${randomAlnum(180)}`,
      type: 'PAGE',
      appId: userToken.appId,
      userId: userToken.userId,
      pageId,
      issuedAt: now,
      expiresAt: pageSeconds !== undefined ? now + pageSeconds : userToken.longLived ? 0 : now + SHORT_PAGE_TOKEN_SECONDS,
      longLived: userToken.longLived,
    };
    this.tokens.set(token.value, token);
    this.pageTokenCache.set(key, token.value);
    return token;
  }

  /** The literal `{app-id}|{app-secret}` or a client_credentials token; undefined when it is neither. */
  isAppToken(value: string): boolean {
    if (value === `${this.app.id}|${this.app.secret}`) return true;
    return this.tokens.get(value)?.type === 'APP';
  }

  /** Looks a token up; the literal app token is materialised on the fly. */
  findToken(value: string): SandboxToken | undefined {
    if (value === `${this.app.id}|${this.app.secret}`) {
      return { value, type: 'APP', appId: this.app.id, issuedAt: 0, expiresAt: 0, longLived: true };
    }
    return this.tokens.get(value);
  }

  /** Why a token is dead, as a 190 subcode (463 when simply past its expiry); undefined when alive. */
  tokenProblem(token: SandboxToken): number | undefined {
    if (token.invalidSubcode !== undefined) return token.invalidSubcode;
    if (token.expiresAt !== 0 && this.nowSeconds() >= token.expiresAt) return 463;
    return undefined;
  }

  /** Scopes live on the grant, so revoking one permission affects existing tokens at once (like Meta). */
  scopesOf(token: SandboxToken): string[] {
    if (token.type === 'APP' || !token.userId) return [];
    const grant = this.grantFor(token.appId, token.userId);
    return grant ? [...grant.granted] : [];
  }

  dataAccessExpired(token: SandboxToken): boolean {
    if (token.type === 'APP' || !token.userId) return false;
    const grant = this.grantFor(token.appId, token.userId);
    return !!grant && this.nowSeconds() >= grant.dataAccessExpiresAt;
  }

  private killWhere(predicate: (t: SandboxToken) => boolean, subcode: number): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (predicate(t) && t.invalidSubcode === undefined) {
        t.invalidSubcode = subcode;
        n++;
      }
    }
    return n;
  }

  /** A whole session of a user (password change, logout, …): every user and Page token they hold. */
  invalidateUser(userId: string, subcode: number): number {
    if (subcode === 463) {
      // "Expired" is modelled honestly: move the expiry into the past.
      let n = 0;
      for (const t of this.tokens.values()) {
        if (t.userId === userId && t.type !== 'APP') {
          t.expiresAt = this.nowSeconds() - 1;
          n++;
        }
      }
      return n;
    }
    return this.killWhere((t) => t.userId === userId && t.type !== 'APP', subcode);
  }

  invalidateToken(value: string, subcode: number): boolean {
    const t = this.tokens.get(value);
    if (!t) return false;
    if (subcode === 463) t.expiresAt = this.nowSeconds() - 1;
    else t.invalidSubcode = subcode;
    return true;
  }

  removePageRole(pageId: string, userId: string): number {
    this.pages.get(pageId)?.roles.delete(userId);
    return this.killWhere((t) => t.type === 'PAGE' && t.pageId === pageId && t.userId === userId, 492);
  }

  /**
   * Merges lifetime overrides for a user (`null` clears one). A new `dataAccessSeconds` also moves
   * the data access of the user's current grant to now + that many seconds.
   */
  setLifetimes(userId: string, patch: { [K in keyof TokenLifetimes]?: number | null }): TokenLifetimes {
    if (!this.users.has(userId)) throw new Error(`unknown user ${userId}`);
    const next: TokenLifetimes = { ...this.lifetimes.get(userId) };
    for (const [k, v] of Object.entries(patch) as Array<[keyof TokenLifetimes, number | null | undefined]>) {
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = v;
    }
    this.lifetimes.set(userId, next);
    if (patch.dataAccessSeconds !== undefined && patch.dataAccessSeconds !== null) {
      for (const g of this.grants.values())
        if (g.userId === userId) g.dataAccessExpiresAt = this.nowSeconds() + patch.dataAccessSeconds;
    }
    return next;
  }

  /** The `expires_in` the token endpoint reports for a token: the override, else the real time left. */
  reportedExpiresIn(token: SandboxToken): number | undefined {
    const reported = token.userId ? this.lifetimes.get(token.userId)?.reportedExpiresIn : undefined;
    if (reported !== undefined) return reported;
    return token.expiresAt === 0 ? undefined : Math.max(0, token.expiresAt - this.nowSeconds());
  }

  expireDataAccess(userId: string): number {
    let n = 0;
    for (const g of this.grants.values()) {
      if (g.userId === userId) {
        g.dataAccessExpiresAt = this.nowSeconds() - 1;
        n++;
      }
    }
    return n;
  }

  /** DELETE /me/permissions: the app is removed for that user; all their tokens for it die with 458. */
  revokeAll(appId: string, userId: string): void {
    this.grants.delete(this.grantKey(appId, userId));
    this.killWhere((t) => t.appId === appId && t.userId === userId && t.type !== 'APP', 458);
  }

  revokePermission(appId: string, userId: string, permission: string): void {
    const grant = this.grantFor(appId, userId);
    if (!grant) return;
    grant.granted.delete(permission);
    grant.declined.add(permission);
  }

  /** Pages a token may see: the user's granted Pages they still have a role on, or the Page itself. */
  visiblePageIds(token: SandboxToken): string[] {
    if (token.type === 'PAGE' && token.pageId) return [token.pageId];
    if (token.type !== 'USER' || !token.userId) return [];
    const grant = this.grantFor(token.appId, token.userId);
    if (!grant) return [];
    return grant.pageIds.filter((id) => this.pages.get(id)?.roles.has(token.userId ?? ''));
  }

  // ---- Faults and the calls log ------------------------------------------------------------

  addFault(spec: FaultSpec): SandboxFault {
    const fault: SandboxFault = { ...spec, id: `fault-${++this.seq.fault}`, remaining: spec.count ?? 1 };
    this.faults.push(fault);
    return fault;
  }

  /** Consumes one use of the first matching fault. */
  takeFault(method: string, path: string): SandboxFault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (!f.method || f.method.toUpperCase() === method) && faultMatches(f.path, path),
    );
    if (!fault) return undefined;
    fault.remaining--;
    return fault;
  }

  recordCall(call: CallRecord): void {
    this.calls.push(call);
    if (this.calls.length > 2000) this.calls.splice(0, this.calls.length - 2000);
  }
}

function faultMatches(pattern: string, path: string): boolean {
  if (path.includes(pattern)) return true;
  try {
    return new RegExp(pattern).test(path);
  } catch {
    return false;
  }
}

/** Replaces secret parameter values for the calls log. */
export function maskParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] = SECRET_PARAMS.has(k) ? '***' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function seededLoginConfigs(): Map<string, string[]> {
  return new Map([[SEEDED_LOGIN_CONFIG_ID, [...SEEDED_LOGIN_CONFIG_PERMISSIONS]]]);
}
