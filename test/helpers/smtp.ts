import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** An email the test SMTP server received. */
export interface ReceivedEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A real SMTP server on loopback that keeps what it receives. */
export class TestSMTPServer {
  readonly received: ReceivedEmail[] = [];
  private waiters: ((email: ReceivedEmail) => void)[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData: (stream, _session, callback) => {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0]?.text : mail.to?.text;
          const email = {
            to: to ?? "",
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
          };
          this.received.push(email);
          this.waiters.splice(0).forEach((w) => w(email));
          callback();
        })
        .catch(callback);
    },
  });
  port = 0;

  /** Listens on a free loopback port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** The next email to arrive (or the first already received that is not yet taken). */
  nextEmail(timeoutMs = 10_000): Promise<ReceivedEmail> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no email arrived")), timeoutMs);
      this.waiters.push((email) => {
        clearTimeout(timer);
        resolve(email);
      });
    });
  }

  /** Stops the server. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
