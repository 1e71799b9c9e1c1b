export const DEFAULT_AFTER_LOGIN = '/settings/social-accounts';

/**
 * Only same-app paths are allowed after login: "/x" yes; "//evil.com", "/\evil.com",
 * "https://evil.com" and "javascript:" no (open-redirect protection).
 */
export function safeReturnUrl(candidate: string | null | undefined): string {
  if (typeof candidate !== 'string') return DEFAULT_AFTER_LOGIN;
  const url = candidate.trim();
  if (!url.startsWith('/')) return DEFAULT_AFTER_LOGIN;
  if (url.startsWith('//') || url.startsWith('/\\')) return DEFAULT_AFTER_LOGIN;
  // Control characters (tab, newline) are stripped by browsers and can smuggle "//".
  if (/[\u0000-\u001f\u007f]/.test(url)) return DEFAULT_AFTER_LOGIN;
  if (url === '/login' || url.startsWith('/login?') || url.startsWith('/register')) {
    return DEFAULT_AFTER_LOGIN;
  }
  return url;
}
