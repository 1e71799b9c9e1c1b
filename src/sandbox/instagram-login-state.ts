import { randomBytes } from 'node:crypto';

/**
 * The world of "Instagram API with Instagram Login" (instagram-login.md): professional Instagram
 * accounts that need no Facebook Page, the Instagram app (its own id and secret, not the Meta
 * app's), authorization codes (1 h, single use), short-lived (1 h) and long-lived (60 days)
 * `IGAA…` tokens, and their refresh. Times are on the sandbox clock. Written from the reference,
 * sharing nothing with the product.
 */

export const IG_CODE_SECONDS = 3_600;
export const IG_SHORT_TOKEN_SECONDS = 3_600;
export const IG_LONG_TOKEN_SECONDS = 5_184_000;
/** A long-lived token younger than this cannot be refreshed (instagram-login.md §4). */
export const IG_REFRESH_MIN_AGE_SECONDS = 86_400;

export const IG_SCOPES = [
  'instagram_business_basic',
  'instagram_business_content_publish',
  'instagram_business_manage_comments',
  'instagram_business_manage_messages',
  'instagram_business_manage_insights',
];

export type IgAccountType = 'BUSINESS' | 'MEDIA_CREATOR' | 'PERSONAL';

export interface IgLoginAccount {
  /** The Instagram professional account id (`user_id` of /me, 1784…): what publishing and webhooks use. */
  userId: string;
  /** The app-scoped id (`id` of /me), also the `user_id` the code exchange returns. */
  scopedId: string;
  username: string;
  name?: string;
  accountType: IgAccountType;
  profilePictureUrl?: string;
  followersCount: number;
  followsCount: number;
  mediaCount: number;
}

export interface IgCode {
  value: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface IgToken {
  value: string;
  userId: string;
  longLived: boolean;
  scopes: string[];
  /** ms on the sandbox clock */
  issuedAt: number;
  expiresAt: number;
  /** Set when the session was ended (password change, app removed): the token answers 190. */
  invalidatedReason?: string;
}

export interface IgLoginSettings {
  /** `flat` (what production clients see) or `data` (Meta's documented sample wrapper). */
  codeExchangeShape: 'flat' | 'data';
}

export class InstagramLoginModel {
  accounts = new Map<string, IgLoginAccount>();
  codes = new Map<string, IgCode>();
  tokens = new Map<string, IgToken>();
  redirectUris: string[] = [];
  settings: IgLoginSettings = { codeExchangeShape: 'flat' };
  private seq = 0;

  constructor(
    private readonly now: () => number,
    readonly app: { id: string; secret: string },
    private readonly defaultRedirectUris: string[],
  ) {
    this.redirectUris = [...defaultRedirectUris];
  }

  reset(seed: boolean): void {
    this.accounts.clear();
    this.codes.clear();
    this.tokens.clear();
    this.redirectUris = [...this.defaultRedirectUris];
    this.settings = { codeExchangeShape: 'flat' };
    this.seq = 0;
    if (seed) this.seed();
  }

  seed(): void {
    this.addAccount({
      userId: '17841400000000101',
      scopedId: '25763909063200101',
      username: 'lena.bakes',
      name: 'Lena Bakes',
      accountType: 'BUSINESS',
    });
    this.addAccount({
      userId: '17841400000000102',
      scopedId: '25763909063200102',
      username: 'max.creates',
      name: 'Max Creates',
      accountType: 'MEDIA_CREATOR',
    });
  }

  addAccount(input: {
    username: string;
    accountType?: IgAccountType;
    name?: string;
    userId?: string;
    scopedId?: string;
  }): IgLoginAccount {
    if (!/^[a-z0-9._]{1,30}$/i.test(input.username)) throw new Error('username must be 1-30 letters, digits, . or _');
    const n = ++this.seq + 200;
    const userId = input.userId ?? `178414${String(n).padStart(11, '0')}`;
    if (!/^\d{5,20}$/.test(userId)) throw new Error('user_id must be digits');
    if (this.accounts.has(userId)) throw new Error(`Instagram account ${userId} exists`);
    const account: IgLoginAccount = {
      userId,
      scopedId: input.scopedId ?? `257639${String(Date.now() % 1e8).padStart(8, '0')}${String(n).padStart(3, '0')}`,
      username: input.username,
      name: input.name,
      accountType: input.accountType ?? 'BUSINESS',
      profilePictureUrl: `https://scontent.cdninstagram.com/sandbox/${userId}.jpg`,
      followersCount: 1234,
      followsCount: 56,
      mediaCount: 0,
    };
    this.accounts.set(userId, account);
    return account;
  }

  /** By professional id, app-scoped id or username. */
  findAccount(ref: string): IgLoginAccount | undefined {
    return this.accounts.get(ref) ?? [...this.accounts.values()].find((a) => a.scopedId === ref || a.username === ref);
  }

  issueCode(userId: string, redirectUri: string, scopes: string[]): IgCode {
    const code: IgCode = {
      value: `AQB${randomBytes(24).toString('base64url')}`,
      userId,
      redirectUri,
      scopes,
      expiresAt: this.now() + IG_CODE_SECONDS * 1000,
      used: false,
    };
    this.codes.set(code.value, code);
    return code;
  }

  issueToken(userId: string, scopes: string[], longLived: boolean): IgToken {
    const now = this.now();
    const token: IgToken = {
      value: `IGAA${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}`,
      userId,
      longLived,
      scopes,
      issuedAt: now,
      expiresAt: now + (longLived ? IG_LONG_TOKEN_SECONDS : IG_SHORT_TOKEN_SECONDS) * 1000,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Moves the issue time of an account's long-lived tokens (their 60 days move with it). */
  setIssuedAt(userId: string, issuedAt: number): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.userId !== userId || !t.longLived) continue;
      t.issuedAt = issuedAt;
      t.expiresAt = issuedAt + IG_LONG_TOKEN_SECONDS * 1000;
      n++;
    }
    return n;
  }

  invalidateUser(userId: string, reason: string): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.userId !== userId || t.invalidatedReason) continue;
      t.invalidatedReason = reason;
      n++;
    }
    return n;
  }
}
