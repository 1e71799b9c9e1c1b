import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';

/**
 * A secret (API key, signing secret) shown exactly once, with a copy button. The parent drops it
 * when the user dismisses it: it is never fetched again.
 */
@Component({
  selector: 'app-secret-reveal',
  template: `
    <div class="message message-warn" role="status" data-testid="secret-reveal">
      <p>
        <strong>{{ label() }}</strong> — copy it now: it will not be shown again.
      </p>
      <code class="secret" data-testid="secret-value">{{ value() }}</code>
      <div class="btn-row">
        <button type="button" class="btn btn-primary" data-testid="secret-copy" (click)="copy()">
          {{ copied() ? 'Copied' : 'Copy' }}
        </button>
        <button type="button" class="btn" data-testid="secret-done" (click)="dismissed.emit()">
          I have saved it
        </button>
      </div>
    </div>
  `,
  styles: `
    .secret {
      display: block;
      word-break: break-all;
      padding: 0.5rem;
      margin: 0.5rem 0;
      background: var(--surface);
      border: 1px solid var(--border);
      border-radius: var(--radius);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SecretReveal {
  readonly label = input.required<string>();
  readonly value = input.required<string>();
  readonly dismissed = output();
  protected readonly copied = signal(false);

  protected async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.value());
      this.copied.set(true);
    } catch {
      // no clipboard permission: the value stays on screen to copy by hand
      this.copied.set(false);
    }
  }
}
