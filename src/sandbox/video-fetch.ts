import { createHash } from 'node:crypto';
import type { FetchedVideo, ReelContainer, ReelsModel } from './reels-state';

/**
 * Meta fetches a container's `video_url` itself, after answering the container id (graph-api.md
 * §11, instagram-login.md R1/R3): the container stays IN_PROGRESS while it downloads, and becomes
 * ERROR with 2207052 ("The media could not be fetched from this uri") when it cannot. The sandbox
 * does the same with a plain GET, streaming the body into a SHA-256 (never into memory), so a test
 * can compare what "Meta" received with what was uploaded.
 *
 * URLs on the reserved example domains (RFC 2606: example.com, example.net, example.org, their
 * subdomains, and `.example`) stand for a CDN the sandbox does not call: their video counts as
 * fetched at once, as it always did, so demos and tests need no real file.
 */
export const VIDEO_FETCH_TIMEOUT_MS = 60_000;
/** Reels are at most 300 MB (instagram-login.md R5). */
export const VIDEO_MAX_BYTES = 300 * 1024 * 1024;

export function isExampleHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return (
    ['example.com', 'example.net', 'example.org'].some((d) => h === d || h.endsWith(`.${d}`)) ||
    h === 'example' ||
    h.endsWith('.example')
  );
}

/** GET the URL and hash its body as it streams; any non-2xx, network error, timeout or oversize is a failure. */
export async function fetchVideo(
  url: string,
  timeoutMs = VIDEO_FETCH_TIMEOUT_MS,
  maxBytes = VIDEO_MAX_BYTES,
): Promise<FetchedVideo> {
  const out: FetchedVideo = { ok: false, httpStatus: null, contentType: null, contentLength: null, size: 0, sha256: null };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    out.httpStatus = res.status;
    out.contentType = res.headers.get('content-type');
    const length = res.headers.get('content-length');
    out.contentLength = length !== null && /^\d+$/.test(length) ? Number(length) : null;
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return { ...out, error: `HTTP ${res.status}` };
    }
    const hash = createHash('sha256');
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.size += value.length;
      if (out.size > maxBytes) {
        await reader.cancel();
        return { ...out, error: `larger than ${maxBytes} bytes` };
      }
      hash.update(value);
    }
    return { ...out, ok: true, sha256: hash.digest('hex') };
  } catch (err) {
    return { ...out, error: err instanceof Error ? err.message : 'fetch failed' };
  }
}

/** Starts Meta's download of a new container's `video_url` (in the background; the answer does not wait). */
export function startVideoFetch(reels: ReelsModel, c: ReelContainer): void {
  if (c.resumable || !c.videoUrl) return;
  let host: string;
  try {
    host = new URL(c.videoUrl).hostname;
  } catch {
    return;
  }
  if (isExampleHost(host)) return;
  reels.beginVideoFetch(c);
  void fetchVideo(c.videoUrl).then((result) => reels.finishVideoFetch(c, result));
}
