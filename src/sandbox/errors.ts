import { randomBytes } from 'node:crypto';

/** Which `WWW-Authenticate` challenge Meta attaches to an error (see graph-api.md §9). */
export type AuthChallenge = 'invalid_token' | 'invalid_request' | 'invalid_code';

export interface MetaErrorFields {
  message: string;
  type?: 'OAuthException' | 'GraphMethodException' | 'IGApiException';
  code: number;
  subcode?: number;
  isTransient?: boolean;
  userTitle?: string;
  userMsg?: string;
}

export interface MetaErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    is_transient?: boolean;
    error_user_title?: string;
    error_user_msg?: string;
    fbtrace_id: string;
  };
}

/** Meta-style trace ids look like `A2g_El2BqBea55Zlkkf0LnA`. */
export function newTraceId(): string {
  return `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/** Thrown by route handlers; the sandbox's error middleware renders it as Meta's envelope. */
export class SandboxGraphError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly fields: MetaErrorFields,
    readonly challenge: AuthChallenge = 'invalid_request',
  ) {
    super(fields.message);
    this.name = 'SandboxGraphError';
  }

  toEnvelope(traceId: string): MetaErrorEnvelope {
    const f = this.fields;
    return {
      error: {
        message: f.message,
        type: f.type ?? 'OAuthException',
        code: f.code,
        ...(f.subcode !== undefined ? { error_subcode: f.subcode } : {}),
        ...(f.isTransient !== undefined ? { is_transient: f.isTransient } : {}),
        ...(f.userTitle !== undefined ? { error_user_title: f.userTitle } : {}),
        ...(f.userMsg !== undefined ? { error_user_msg: f.userMsg } : {}),
        fbtrace_id: traceId,
      },
    };
  }
}

/** Default HTTP status per code: 403 for #200-class permission errors, 5xx for the transient 1/2, else 400. */
export function defaultHttpStatus(code: number): number {
  if (code >= 200 && code <= 299) return 403;
  if (code === 1) return 500;
  if (code === 2) return 503;
  return 400;
}

const OBJECT_MISSING_DOCS = 'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api';

// ---- Token errors (code 190) -------------------------------------------------------------

/** Meta's wording for `Session has expired on …` uses a Pacific-time long date; UTC is close enough here. */
function metaDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toUTCString();
}

export function tokenError(
  subcode: number | undefined,
  ctx: { appId?: string; expiresAt?: number; now?: number } = {},
): SandboxGraphError {
  let message: string;
  switch (subcode) {
    case 458:
      message = `Error validating access token: The user has not authorized application ${ctx.appId ?? ''}.`;
      break;
    case 460:
      message =
        'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.';
      break;
    case 463:
      message = `Error validating access token: Session has expired on ${metaDate(ctx.expiresAt ?? 0)}. The current time is ${metaDate(ctx.now ?? 0)}.`;
      break;
    case 467:
      message = 'Error validating access token: The session is invalid because the user logged out.';
      break;
    case 492:
      message = 'User associated with the Page access token does not have an appropriate role on the Page.';
      break;
    default:
      message = 'Invalid OAuth access token data.';
  }
  return new SandboxGraphError(400, { message, code: 190, subcode }, 'invalid_token');
}

export const cannotParseToken = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }, 'invalid_token');

export const dataAccessExpired = (): SandboxGraphError =>
  new SandboxGraphError(
    400,
    { message: "The access token is invalid since the user hasn't engaged the app in longer than 90 days.", code: 190 },
    'invalid_token',
  );

export const missingTokenOnMe = (): SandboxGraphError =>
  new SandboxGraphError(
    400,
    { message: 'An active access token must be used to query information about the current user.', code: 2500 },
    'invalid_token',
  );

export const missingToken = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'An access token is required to request this resource.', code: 104 }, 'invalid_token');

// ---- appsecret_proof (§8) ----------------------------------------------------------------

export const proofMissing = (): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: 'API calls from the server require an appsecret_proof argument',
    type: 'GraphMethodException',
    code: 100,
  });

export const proofInvalid = (): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: 'Invalid appsecret_proof provided in the API argument',
    type: 'GraphMethodException',
    code: 100,
  });

// ---- Objects, fields, permissions --------------------------------------------------------

export const objectMissing = (id: string, method: 'get' | 'post' | 'delete' = 'get'): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. ${OBJECT_MISSING_DOCS}`,
    type: 'GraphMethodException',
    code: 100,
    subcode: 33,
  });

export const nonexistingField = (field: string, nodeType: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
    code: 100,
  });

export const missingParam = (name: string): SandboxGraphError =>
  new SandboxGraphError(400, { message: `(#100) The parameter ${name} is required`, code: 100 });

export const permissionRequired = (permissions: string[]): SandboxGraphError =>
  new SandboxGraphError(403, { message: `(#200) Requires permission: ${permissions.join(', ')}`, code: 200 });

export const appPermissionMissing = (): SandboxGraphError =>
  new SandboxGraphError(403, { message: '(#10) Application does not have permission for this action', code: 10 });

export const unknownPath = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'Unknown path components: request not supported by the sandbox', code: 2500 });

// ---- Code exchange (§2) ------------------------------------------------------------------

export const codeUsed = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'This authorization code has been used.', code: 100, subcode: 36009 }, 'invalid_code');

export const codeExpired = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'This authorization code has expired.', code: 100, subcode: 36007 }, 'invalid_code');

export const codeRedirectMismatch = (): SandboxGraphError =>
  new SandboxGraphError(
    400,
    {
      message:
        'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      code: 100,
      subcode: 36008,
    },
    'invalid_code',
  );

export const codeGarbage = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'Invalid verification code format.', code: 100 }, 'invalid_code');

export const badClientSecret = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'Error validating client secret.', code: 1 });

export const badClientId = (): SandboxGraphError =>
  new SandboxGraphError(400, { message: 'Error validating application. Invalid application ID.', code: 101 });

// ---- Reels publishing (graph-api.md §11, instagram-login.md R1-R6) -----------------------

/** Publish before FINISHED: Meta's "not ready" (retry after polling). */
export const mediaNotReady = (): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: 'Media ID is not available',
    code: 9007,
    subcode: 2207027,
    isTransient: false,
    userTitle: 'Media Not Ready For Publishing',
    userMsg: 'The media is not ready for publishing, please wait for a moment',
  });

export const publishQuotaReached = (): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: 'Application request limit reached',
    code: 9,
    subcode: 2207042,
    isTransient: false,
    userTitle: 'Maximum Number of Posts Reached',
    userMsg: 'You reached maximum number of posts that is allowed to be published by Content Publish API.',
  });

export const mediaExpired = (): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: 'The media you are trying to access has expired. Please try to upload again.',
    code: -2,
    subcode: 2207020,
    isTransient: false,
    userTitle: 'Media Expired',
    userMsg: 'The media you are trying to access has expired. Please try to upload again.',
  });

/** Unknown `creation_id`, or one of another account (R6: 24 / 2207008). */
export const mediaBuilderMissing = (id: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `The media builder with creation id = ${id} does not exist or has been expired.`,
    code: 24,
    subcode: 2207008,
    isTransient: false,
    userTitle: 'Media builder does not exist',
    userMsg: `The media builder with creation id = ${id} does not exist or has been expired.`,
  });

/**
 * A second `media_publish` of a published container. Meta documents no error for this case;
 * the sandbox's choice (README): code 100, no subcode, never a second post.
 */
export const containerAlreadyPublished = (id: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `(#100) The media container ${id} has already been published.`,
    code: 100,
    isTransient: false,
  });

/** Publishing an ERROR container answers with the code of the failure, per Meta's error table. */
const FAILURE_CODES: Record<number, { code: number; text: string }> = {
  2207001: { code: -1, text: 'Instagram server error. Try again.' },
  2207003: { code: -2, text: 'It takes too long to download the media.' },
  2207026: { code: 352, text: 'The video format is not supported. Please check spec for supported video format.' },
  2207032: { code: -1, text: 'Create media fail, please try to re-create media' },
  2207052: { code: 9004, text: 'The media could not be fetched from this uri.' },
  2207053: { code: -1, text: 'unknown upload error' },
  2207057: { code: 1, text: 'Thumbnail offset must be greater than or equal to 0 and less than video duration.' },
};

export const containerFailed = (subcode: number): SandboxGraphError => {
  const f = FAILURE_CODES[subcode] ?? { code: -1, text: 'unknown upload error' };
  return new SandboxGraphError(400, {
    message: f.text,
    code: f.code,
    subcode,
    isTransient: false,
    userTitle: 'Media upload failed',
    userMsg: f.text,
  });
};

export const captionTooLong = (what: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `The caption is too long: ${what}.`,
    code: 36004,
    subcode: 2207010,
    isTransient: false,
    userTitle: 'Caption too long',
    userMsg: 'The caption can have at most 2,200 characters and 30 hashtags.',
  });

export const tooManyMentions = (): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: 'Cannot use more than 20 tags.',
    code: 100,
    subcode: 2207040,
    isTransient: false,
    userTitle: 'Too many tags',
    userMsg: 'Cannot use more than 20 tags.',
  });

export const mediaUriRejected = (uri: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: "Media download has failed. The media URI doesn't meet our requirements.",
    code: 9004,
    subcode: 2207052,
    isTransient: false,
    userTitle: 'Media download has failed',
    userMsg: `The media could not be fetched from this uri: ${uri}`,
  });

export const unknownMediaType = (type: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `The media type ${type} is unknown.`,
    code: 100,
    subcode: 2207023,
    isTransient: false,
    userTitle: 'Unknown media type',
    userMsg: `The media type ${type} is unknown.`,
  });

export const invalidParam = (message: string): SandboxGraphError =>
  new SandboxGraphError(400, { message: `(#100) ${message}`, code: 100 });

export const invalidLocation = (id: string): SandboxGraphError =>
  new SandboxGraphError(400, {
    message: `(#100) INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID: ${id} is not a Page with location data`,
    code: 100,
    isTransient: false,
  });
