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

/** `POST /{ig-user-id}/media` with `media_type=REELS` (graph-api.md §11, instagram-login.md R1). */
export interface ReelContainerRequest {
  /** A public URL Meta fetches; absent for a resumable upload. */
  videoUrl?: string;
  resumable?: boolean;
  caption?: string;
  shareToFeed: boolean;
  coverUrl?: string;
  thumbOffsetMs?: number;
  audioName?: string;
  collaborators?: string[];
  locationId?: string;
}

export interface ReelContainer {
  id: string;
  /** Resumable uploads: where the bytes go (Meta's `uri`), when Meta returned one. */
  uploadUri?: string;
}

export type ContainerStatusCode = 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED';

export interface ContainerStatus {
  statusCode: ContainerStatusCode;
  /** Meta's `status` sentence (for ERROR: "… failed with error code 2207026"). */
  status: string | null;
  /** The error subcode parsed out of `status` for ERROR containers. */
  errorSubcode?: number;
}

export interface PublishingLimit {
  quotaUsage: number;
  quotaTotal: number;
  quotaDurationSeconds: number;
}

export interface MediaItem {
  id: string;
  caption: string | null;
  timestamp: Date | null;
  permalink: string | null;
  mediaProductType: string | null;
}

/** The bytes of a resumable upload: a local file, streamed (never read into memory). */
export interface UploadSource {
  path: string;
  size: number;
}

export abstract class GraphApiClient {
  /** The Facebook Login dialog URL to send the browser to. */
  abstract buildLoginUrl(req: LoginUrlRequest): string;
  abstract exchangeCode(code: string, redirectUri: string): Promise<TokenGrant>;
  /** Short → long (~60 days, new string). A long-lived input keeps its expiry: Meta does not extend it. */
  abstract exchangeForLongLived(userToken: string): Promise<TokenGrant>;
  /** debug_token with the app token; dead tokens resolve with `isValid: false` rather than throwing. */
  abstract inspectToken(token: string): Promise<TokenInspection>;
  /**
   * debug_token for several tokens, in order. Meta's client sends them as one batch request (one
   * round trip; each part still counts as a Graph call); this default asks one by one in parallel.
   */
  inspectTokens(tokens: string[]): Promise<TokenInspection[]> {
    return Promise.all(tokens.map((t) => this.inspectToken(t)));
  }
  abstract getMe(userToken: string): Promise<GraphUser>;
  /** All granted Pages, following cursor paging to the end. */
  abstract listPages(userToken: string): Promise<GraphPage[]>;
  abstract getInstagramAccount(igUserId: string, token: string): Promise<InstagramAccount>;
  abstract getPermissions(userToken: string): Promise<GraphPermission[]>;
  /** Removes the app for the user; every user and Page token of theirs dies (190/458). */
  abstract revokeAll(userToken: string): Promise<void>;
  abstract subscribePageToApp(pageId: string, pageToken: string, fields: string[]): Promise<void>;

  // --- Reels publishing (graph-api.md §11; `token` is the account's Page or user token) ---------
  abstract createReelContainer(igUserId: string, token: string, req: ReelContainerRequest): Promise<ReelContainer>;
  /** Streams the file to Meta's resumable upload endpoint (rupload) for a container made with `resumable`. */
  abstract uploadReelVideo(container: ReelContainer, token: string, source: UploadSource): Promise<void>;
  abstract getContainerStatus(containerId: string, token: string): Promise<ContainerStatus>;
  /** `media_publish` → the IG media id. Call only after the container said FINISHED (exactly once: see publishing/). */
  abstract publishContainer(igUserId: string, token: string, containerId: string): Promise<string>;
  abstract getPublishingLimit(igUserId: string, token: string): Promise<PublishingLimit>;
  abstract getMediaPermalink(mediaId: string, token: string): Promise<string | null>;
  /** The account's newest media (one page), to find what a PUBLISHED container became. */
  abstract listRecentMedia(igUserId: string, token: string, limit: number): Promise<MediaItem[]>;
}
