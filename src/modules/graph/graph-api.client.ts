/**
 * The port to Meta's Graph API in our own terms (camelCase, Dates, `null` = never). Used as the Nest
 * DI token; MetaGraphApiClient is the HTTP adapter. Every method throws GraphError on failure.
 */

export interface TokenGrant {
  accessToken: string;
  /** Absent when Meta leaves `expires_in` out (it does, sometimes): confirm with inspectToken. */
  expiresInSeconds?: number;
}

export type GraphTokenType = 'USER' | 'PAGE' | 'APP' | 'SYSTEM_USER';

export interface TokenInspection {
  isValid: boolean;
  type: GraphTokenType;
  appId: string;
  userId?: string;
  /** Page tokens: the Page id. */
  profileId?: string;
  issuedAt: Date | null;
  /** null = never expires (`expires_at: 0`). */
  expiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  scopes: string[];
  granularScopes: Array<{ scope: string; targetIds: string[] }>;
  error?: { code: number; subcode?: number; message: string };
}

export interface GraphUser {
  id: string;
  name: string;
}

export interface GraphPage {
  id: string;
  name: string;
  accessToken: string;
  tasks: string[];
  category?: string;
  instagramAccountId?: string;
  instagramUsername?: string;
}

export interface InstagramAccount {
  id: string;
  username: string;
  name?: string;
  profilePictureUrl?: string;
  followersCount?: number;
  mediaCount?: number;
}

export type PermissionStatus = 'granted' | 'declined' | 'expired';

export interface GraphPermission {
  permission: string;
  status: PermissionStatus;
}

export interface LoginUrlRequest {
  redirectUri: string;
  state: string;
  scopes: string[];
  /** `reauthorize` re-shows the Page picker; `rerequest` re-asks declined permissions. */
  authType?: 'rerequest' | 'reauthorize' | 'reauthenticate';
}

export abstract class GraphApiClient {
  /** The Facebook Login dialog URL to send the browser to. */
  abstract buildLoginUrl(req: LoginUrlRequest): string;
  abstract exchangeCode(code: string, redirectUri: string): Promise<TokenGrant>;
  /** Short → long (~60 days, new string). A long-lived input keeps its expiry: Meta does not extend it. */
  abstract exchangeForLongLived(userToken: string): Promise<TokenGrant>;
  /** debug_token with the app token; dead tokens resolve with `isValid: false` rather than throwing. */
  abstract inspectToken(token: string): Promise<TokenInspection>;
  abstract getMe(userToken: string): Promise<GraphUser>;
  /** All granted Pages, following cursor paging to the end. */
  abstract listPages(userToken: string): Promise<GraphPage[]>;
  abstract getInstagramAccount(igUserId: string, token: string): Promise<InstagramAccount>;
  abstract getPermissions(userToken: string): Promise<GraphPermission[]>;
  /** Removes the app for the user; every user and Page token of theirs dies (190/458). */
  abstract revokeAll(userToken: string): Promise<void>;
  abstract subscribePageToApp(pageId: string, pageToken: string, fields: string[]): Promise<void>;
}
