import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createTransport, type Transporter } from 'nodemailer';
import { Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { UserDirectory } from '../auth/user-directory';
import { ConnectionRepository } from '../connections/connection.repository';
import { AlertEntity } from './alert.entity';
import { alertSubject } from './domain/alert-rules';
import { ReconnectLinkService } from './reconnect-link.service';

export type MailOutcome = 'sent' | 'logged' | 'already_sent' | 'skipped';

/**
 * Sends one alert's e-mail: plain text, short, with a one-click reconnect link. Idempotent:
 * emailed_at is set once sent, and a job that finds it set sends nothing.
 */
@Injectable()
export class AlertMailerService implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertMailerService.name);
  private transport: Transporter | undefined;

  constructor(
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
    private readonly users: UserDirectory,
    private readonly links: ReconnectLinkService,
    private readonly connections: ConnectionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async send(alertId: number): Promise<MailOutcome> {
    const alert = await this.alerts.findOneBy({ id: alertId });
    if (!alert) return 'skipped';
    if (alert.emailedAt) return 'already_sent';
    // settled (read, or the account was reconnected meanwhile): nothing to tell any more
    if (alert.readAt || !alert.accountId) return 'skipped';
    const [user, account] = await Promise.all([this.users.contact(alert.userId), this.connections.findById(alert.accountId)]);
    if (!user || !account || account.status === 'disconnected') return 'skipped';
    const who = `@${account.instagramUsername ?? account.igUserId}`;
    const link = await this.links.issue(user.id, account.id, alert.id);
    const subject = alertSubject(alert.kind, alert.thresholdDays, who, account.loginType);
    const text = [
      alert.message,
      '',
      'Reconnect in one click (sign in when asked; the link works for 7 days, until you reconnect):',
      link.url,
      '',
      `Or open ${this.config.frontendUrl}/settings/social-accounts`,
      '',
      '— AutoReels',
    ].join('\n');
    let outcome: MailOutcome;
    if (this.config.mail.smtpUrl) {
      await this.transporter().sendMail({ from: this.config.mail.from, to: user.email, subject, text });
      outcome = 'sent';
    } else if (!this.config.isProduction) {
      // development without SMTP: the mail goes to the log (the link is ours, not a Meta token)
      this.logger.log({ alertId, to: user.email, subject, link: link.url }, 'alert e-mail (SMTP_URL not set, not sent)');
      outcome = 'logged';
    } else {
      throw new Error('SMTP_URL is not configured; alert e-mail not sent');
    }
    await this.alerts.update({ id: alert.id }, { emailedAt: this.clock.now() });
    // the account's history says what the user was told, and when (never the link itself)
    await this.connections.recordEvent({
      accountId: account.id,
      userId: user.id,
      type: 'alert_emailed',
      outcome: 'success',
      actor: 'worker',
      message: outcome === 'sent' ? `E-mailed: ${subject}` : `E-mail written to the log (no SMTP_URL): ${subject}`,
      details: { alert_id: alert.id, kind: alert.kind },
    });
    return outcome;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }

  private transporter(): Transporter {
    this.transport ??= createTransport(this.config.mail.smtpUrl);
    return this.transport;
  }
}
