import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, type OnInit, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { firstValueFrom } from 'rxjs';

import { toUserMessage } from '../../../core/http/api-error';
import { SecretReveal } from '../components/secret-reveal';
import { SettingsNav } from '../../../core/layout/settings-nav';
import { WebhooksApi } from '../data/integrations.api';
import {
  type CreatedWebhookEndpoint,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../data/integrations.model';

/** Settings → Webhooks: endpoints (secret shown once), their events, recent deliveries, test send. */
@Component({
  selector: 'app-webhooks-page',
  imports: [ReactiveFormsModule, DatePipe, SecretReveal, SettingsNav],
  templateUrl: './webhooks-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WebhooksPage implements OnInit {
  private readonly api = inject(WebhooksApi);
  protected readonly allEvents = WEBHOOK_EVENTS;
  protected readonly form = inject(NonNullableFormBuilder).group({
    url: [
      '',
      [Validators.required, Validators.maxLength(2048), Validators.pattern(/^https?:\/\/\S+$/)],
    ],
  });
  /** Events ticked in the form (all connection events by default). */
  protected readonly chosen = signal<Set<string>>(
    new Set(WEBHOOK_EVENTS.filter((e) => e.startsWith('connection.'))),
  );
  protected readonly endpoints = signal<WebhookEndpoint[]>([]);
  protected readonly deliveries = signal<Partial<Record<number, WebhookDelivery[]>>>({});
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly saving = signal(false);
  protected readonly created = signal<CreatedWebhookEndpoint | null>(null);
  protected readonly testing = signal<number | null>(null);

  async ngOnInit(): Promise<void> {
    try {
      this.endpoints.set(await firstValueFrom(this.api.list()));
      await Promise.all(this.endpoints().map((e) => this.loadDeliveries(e.id)));
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.loading.set(false);
    }
  }

  protected toggle(event: string, on: boolean): void {
    this.chosen.update((set) => {
      const next = new Set(set);
      if (on) next.add(event);
      else next.delete(event);
      return next;
    });
  }

  protected async create(): Promise<void> {
    if (this.form.invalid || this.chosen().size === 0 || this.saving()) {
      this.form.markAllAsTouched();
      return;
    }
    this.saving.set(true);
    this.error.set(null);
    try {
      const events = WEBHOOK_EVENTS.filter((e) => this.chosen().has(e));
      const endpoint = await firstValueFrom(
        this.api.create(this.form.getRawValue().url.trim(), events),
      );
      this.created.set(endpoint);
      const { secret: _shownOnce, ...listed } = endpoint;
      this.endpoints.update((list) => [...list, listed]);
      this.deliveries.update((d) => ({ ...d, [endpoint.id]: [] }));
      this.form.reset();
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.saving.set(false);
    }
  }

  protected async sendTest(endpoint: WebhookEndpoint): Promise<void> {
    this.testing.set(endpoint.id);
    this.error.set(null);
    try {
      const delivery = await firstValueFrom(this.api.sendTest(endpoint.id));
      this.deliveries.update((d) => ({
        ...d,
        [endpoint.id]: [delivery, ...(d[endpoint.id] ?? [])],
      }));
      // a good test send turns a disabled endpoint back on
      if (delivery.status === 'delivered' && !endpoint.enabled) {
        this.endpoints.update((list) =>
          list.map((e) =>
            e.id === endpoint.id ? { ...e, enabled: true, disabled_reason: null } : e,
          ),
        );
      }
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.testing.set(null);
    }
  }

  protected async remove(endpoint: WebhookEndpoint): Promise<void> {
    this.error.set(null);
    try {
      await firstValueFrom(this.api.remove(endpoint.id));
      this.endpoints.update((list) => list.filter((e) => e.id !== endpoint.id));
      if (this.created()?.id === endpoint.id) this.created.set(null);
    } catch (err) {
      this.error.set(toUserMessage(err));
    }
  }

  protected deliveriesOf(id: number): WebhookDelivery[] {
    return this.deliveries()[id] ?? [];
  }

  protected async loadDeliveries(id: number): Promise<void> {
    const list = await firstValueFrom(this.api.deliveries(id));
    this.deliveries.update((d) => ({ ...d, [id]: list.slice(0, 10) }));
  }
}
