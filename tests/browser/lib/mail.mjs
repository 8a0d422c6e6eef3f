// Mail for the browser tests: a minimal SMTP client that hands messages to
// ecp's own inbound listener, and a local "remote" server that counts every
// request made to it (a fetch that should never happen shows up here).

import net from 'node:net';
import http from 'node:http';

/// The inbound SMTP address ecp printed at start-up.
export function smtpAddrOf(ecp) {
  const m = ecp.output().match(/Inbound SMTP for mailboxes' direct addresses on ([\d.]+):(\d+)/);
  if (!m) throw new Error(`ecp did not print its SMTP address:\n${ecp.output()}`);
  return { host: m[1], port: Number(m[2]) };
}

/// Sends one message (CRLF lines) to `rcpt` over SMTP; rejects on any
/// answer that is not 2xx/3xx.
export function sendMail({ host, port }, from, rcpt, raw) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    let buf = '';
    const steps = [
      null,
      'EHLO browser.test',
      `MAIL FROM:<${from}>`,
      `RCPT TO:<${rcpt}>`,
      'DATA',
      raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..') + '\r\n.',
      'QUIT',
    ];
    let i = 0;
    sock.setTimeout(20_000, () => { sock.destroy(); reject(new Error('SMTP timed out')); });
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // A complete reply ends with a line "NNN text" (no dash after the code).
      const lines = buf.split('\r\n');
      const last = lines[lines.length - 2];
      if (!last || !/^\d{3} /.test(last)) return;
      buf = '';
      const code = Number(last.slice(0, 3));
      if (code >= 400) { sock.destroy(); reject(new Error(`SMTP step ${i}: ${last}`)); return; }
      i += 1;
      if (i >= steps.length) { sock.end(); resolve(); return; }
      sock.write(steps[i] + '\r\n');
    });
  });
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR42mP4z8CAFTEMLQkAVXAO8pmVAFAAAAAASUVORK5CYII=',
  'base64',
);
export const PNG_B64 = PNG.toString('base64');

/// An HTTP server on localhost standing for every remote host: it answers
/// each request with a small PNG and remembers the paths asked for.
export async function startMarker() {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    res.end(PNG);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    origin: `http://localhost:${port}`,
    hits,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/// The New Account Wizard: an account on `plan` with one mailbox. Resolves
/// to the mailbox id.
export async function createAccount(page, baseUrl, { owner, plan = 'Premium', mailbox, address }) {
  await page.goto(baseUrl + '/signup');
  await page.getByLabel('Account name (your company or team)').fill('View Test Ltd');
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Your email address').fill(owner.email);
  await page.getByLabel('Password (at least 10 characters)').fill(owner.password);
  await page.getByRole('radio', { name: new RegExp(plan) }).check();
  await page.getByLabel('Mailbox name, e.g. Support').fill(mailbox);
  await page.getByLabel(/^Mailbox email address/).fill(address);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    page.getByRole('button', { name: 'Create account' }).click(),
  ]);
  const href = await page.getByRole('main').getByRole('link', { name: mailbox }).first().getAttribute('href');
  return Number(href.split('/').pop());
}

/// A tiny SMTP server on localhost standing for the outgoing relay
/// (ECP_SMTP_RELAY=smtp://127.0.0.1:PORT, plain, no auth): it accepts every
/// message and keeps the envelope and the data, so a test can check what
/// the product really sent.
export async function startSmtpCapture() {
  const messages = [];
  const server = net.createServer((sock) => {
    sock.setEncoding('latin1');
    let buf = '';
    let inData = false;
    let from = '';
    let rcpts = [];
    let data = '';
    const reply = (line) => sock.write(line + '\r\n');
    reply('220 capture.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          inData = false;
          messages.push({ from, to: rcpts, data: data.replace(/^\.\./gm, '.') });
          from = ''; rcpts = []; data = '';
          reply('250 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-capture.test\r\n250 8BITMIME');
        else if (verb === 'MAIL') { from = (line.match(/<([^>]*)>/) || [])[1] || ''; reply('250 ok'); }
        else if (verb === 'RCPT') { rcpts.push((line.match(/<([^>]*)>/) || [])[1] || ''); reply('250 ok'); }
        else if (verb === 'DATA') { inData = true; reply('354 go on'); }
        else if (verb === 'QUIT') { reply('221 bye'); sock.end(); return; }
        else reply('250 ok');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /// Resolves to the first message for `rcpt` matching `re`, waiting up
    /// to `ms` (the outbox sender runs every few seconds).
    async waitFor(rcpt, re, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = messages.find((x) => x.to.includes(rcpt) && re.test(x.data));
        if (m) return m;
        if (Date.now() > deadline) {
          throw new Error(`no mail to ${rcpt} matching ${re}; got ${JSON.stringify(messages.map((x) => x.to))}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: () => new Promise((r) => server.close(r)),
  };
}

/// The readable text of a raw message: itself, with quoted-printable soft
/// breaks and escapes undone and base64 blocks decoded, so a test can look
/// for words whatever transfer encoding the sender chose.
export function readableText(raw) {
  const qp = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const blocks = raw.match(/(?:^[A-Za-z0-9+/=]{16,}\r?\n)+/gm) || [];
  const decoded = blocks.map((b) => Buffer.from(b.replace(/\s+/g, ''), 'base64').toString('utf8'));
  return [qp, ...decoded].join('\n');
}
