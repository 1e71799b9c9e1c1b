/** DI token for the Graph client's settings (built from AppConfig in GraphModule). */
export const GRAPH_CLIENT_OPTIONS = Symbol('GRAPH_CLIENT_OPTIONS');

export interface GraphClientOptions {
  /** e.g. https://graph.facebook.com or the sandbox URL; no trailing slash. */
  graphUrl: string;
  /** e.g. https://www.facebook.com or the sandbox URL. */
  dialogUrl: string;
  /** e.g. v25.0 — sent on every call. */
  version: string;
  appId: string;
  appSecret: string;
  /** Facebook Login for Business: the dialog sends `config_id` (and no `scope`) when set. */
  loginConfigId?: string;
  timeoutMs: number;
  /** Meta's resumable upload host (https://rupload.facebook.com, or the sandbox). */
  ruploadUrl?: string;
  /** Default true. graph.instagram.com documents no appsecret_proof and no client sends it (instagram-login.md §6). */
  appSecretProof?: boolean;
  /** `limit` for paged edges such as /me/accounts (default 100). */
  pageSize?: number;
}
