import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { DeletionStatusView } from './data-deletion.service';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The status page people reach from Facebook: a tiny HTML page, or JSON for programs. */
export function renderDeletionStatusPage(view: DeletionStatusView): string {
  const done = view.status === 'completed';
  const headline = done ? 'Your data has been deleted.' : 'Your deletion request is being processed.';
  const detail = done
    ? 'AutoReels no longer holds any Facebook or Instagram data from your account.'
    : 'This usually takes a few minutes. Reload this page to check again.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>AutoReels — data deletion</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.25rem}</style>
</head><body><h1>Data deletion request</h1>
<p>Confirmation code: <code>${escapeHtml(view.confirmation_code)}</code></p>
<p>Status: <strong data-status="${view.status}">${done ? 'Completed' : 'Pending'}</strong></p>
<p>${headline} ${detail}</p></body></html>`;
}

@Injectable()
export class DeletionStatusResponder {
  async respond(
    view: Promise<DeletionStatusView>,
    accept: string | undefined,
    res: Response,
  ): Promise<DeletionStatusView | string> {
    const v = await view;
    res.set('Cache-Control', 'no-store');
    if (accept?.includes('application/json')) return v;
    res.type('html');
    return renderDeletionStatusPage(v);
  }
}
