/**
 * The port to "Instagram API with Instagram Login" (instagram-login.md), in our own terms: the
 * dialog URL, the code exchange (api.instagram.com), the long-lived exchange and the refresh
 * (graph.instagram.com), and the account read from /me. Every method throws GraphError on failure.
 * MetaInstagramLoginClient is the HTTP adapter. Publishing for these accounts goes through
 * InstagramGraphApiClient (the same Graph calls on graph.instagram.com).
 */
import { GraphApiClient } from './graph-api.client';
import type { TokenGrant } from './graph-api.client';

export interface InstagramLoginUrlRequest {
  redirectUri: string;
  state: string;
  scopes: string[];
  /** Re-show Instagram's login (a renewal may be for another account than the browser's session). */
  forceReauth?: boolean;
}

export interface InstagramCodeGrant {
  /** Short-lived (1 h). */
  accessToken: string;
  /** What the user actually granted (they can untick permissions). */
  permissions: string[];
}

export type InstagramAccountType = 'BUSINESS' | 'MEDIA_CREATOR' | 'PERSONAL' | 'UNKNOWN';

export interface InstagramLoginProfile {
  /** `id` of /me: the app-scoped id of the app user. */
  scopedId: string;
  /** `user_id` of /me: the Instagram professional account id (publishing, webhooks). */
  userId: string;
  username: string;
  name: string | null;
  accountType: InstagramAccountType;
  profilePictureUrl: string | null;
}

export abstract class InstagramLoginClient {
  abstract buildLoginUrl(req: InstagramLoginUrlRequest): string;
  /** `POST api.instagram.com/oauth/access_token` (accepts both documented response shapes). */
  abstract exchangeCode(code: string, redirectUri: string): Promise<InstagramCodeGrant>;
  /** `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`: short → 60 days. */
  abstract exchangeForLongLived(shortLivedToken: string): Promise<TokenGrant>;
  /** `GET graph.instagram.com/refresh_access_token`: a long-lived token ≥ 24 h old → 60 days from now (maybe a new string). */
  abstract refresh(longLivedToken: string): Promise<TokenGrant>;
  abstract getProfile(token: string): Promise<InstagramLoginProfile>;
}

/** The Graph calls (Reels publishing) on graph.instagram.com, for Instagram-Login accounts. */
export abstract class InstagramGraphApiClient extends GraphApiClient {}
