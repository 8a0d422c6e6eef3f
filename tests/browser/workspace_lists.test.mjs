// The agent workspace in Chromium: mail arrives over SMTP, the folder
// counts show it, an agent assigns one from its panel, tags it, closes two
// from the list with the bulk toolbar (select all via script), and the
// counts follow; Recent Actions lists it all. No JavaScript error or CSP
// violation on the way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEcp, launchBrowser, watchContext, screenshot } from './lib/harness.mjs';
import { stepper } from './lib/steps.mjs';

const OWNER = { name: 'Wanda Work', email: 'wanda@lists.example', password: 'wanda-long-password-1' };
const INBOX = 'help@lists.example';

let ecp;
let browser;

before(async () => {
  ecp = await startEcp({ label: 'workspace' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
});

/// A minimal SMTP client: one message, every reply checked.
async function sendMail(port, n) {
  const sock = net.createConnection({ host: '127.0.0.1', port });
  sock.setEncoding('utf8');
  let buf = '';
  const reply = () => new Promise((resolve, reject) => {
    const check = () => {
      const lines = buf.split('\r\n');
      const done = lines.findIndex((l) => /^\d{3} /.test(l));
      if (done >= 0) {
        const code = Number(lines[done].slice(0, 3));
        buf = lines.slice(done + 1).join('\r\n');
        sock.off('data', onData);
        resolve(code);
      }
    };
    const onData = (d) => { buf += d; check(); };
    sock.on('data', onData);
    sock.once('error', reject);
    check();
  });
  const cmd = async (line, want) => {
    if (line !== null) sock.write(line + '\r\n');
    const code = await reply();
    assert.equal(code, want, `SMTP ${line}: ${code}`);
  };
  await cmd(null, 220);
  await cmd('EHLO test.example', 250);
  await cmd(`MAIL FROM:<cust${n}@cust.example>`, 250);
  await cmd(`RCPT TO:<${INBOX}>`, 250);
  await cmd('DATA', 354);
  await cmd([
    `From: Customer ${n} <cust${n}@cust.example>`, `To: ${INBOX}`, `Subject: Question number ${n}`,
    `Message-ID: <q${n}@cust.example>`, 'Date: Mon, 2 Mar 2026 10:00:00 +0000', '', `Hello ${n}`, '.',
  ].join('\r\n'), 250);
  await cmd('QUIT', 221);
  sock.end();
}

test('assign, tag, bulk close and folder counts', async (t) => {
  const step = stepper(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watch = await watchContext(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('dialog', (d) => d.accept());
  let mailboxId = 0;
  const count = async (folder) => Number(await page.locator(`a[data-folder="${mailboxId}-${folder}"] .count`).innerText());

  await step('create the account with a mailbox', async () => {
    await page.goto(ecp.baseUrl + '/signup');
    await page.getByLabel('Account name (your company or team)').fill('Lists Ltd');
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Your email address').fill(OWNER.email);
    await page.getByLabel('Password (at least 10 characters)').fill(OWNER.password);
    await page.getByRole('radio', { name: /Premium/ }).check();
    await page.getByLabel('Mailbox name, e.g. Support').fill('Help');
    await page.getByLabel(/^Mailbox email address/).fill(INBOX);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/'),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    const href = await page.getByRole('main').getByRole('link', { name: 'Help' }).first().getAttribute('href');
    mailboxId = Number(href.split('/').pop());
    assert.ok(mailboxId > 0);
  });

  await step('three customers write in over SMTP', async () => {
    const m = ecp.output().match(/Inbound SMTP for mailboxes' direct addresses on 127\.0\.0\.1:(\d+)/);
    assert.ok(m, ecp.output());
    for (const n of [1, 2, 3]) await sendMail(Number(m[1]), n);
    const deadline = Date.now() + 15_000;
    for (;;) {
      await page.goto(`${ecp.baseUrl}/mailboxes/${mailboxId}`);
      if ((await count('unassigned')) === 3) break;
      assert.ok(Date.now() < deadline, 'mail was filed');
      await page.waitForTimeout(300);
    }
    assert.equal(await page.locator('tr.unread').count(), 3, 'new mail is bold');
    await screenshot(page, 'workspace-list');
  });

  await step('assign one to me and tag it from the panel', async () => {
    await page.getByRole('link', { name: 'Question number 1' }).click();
    await page.getByRole('complementary', { name: 'Conversation actions' }).waitFor();
    await Promise.all([
      page.waitForLoadState('load'),
      page.waitForURL(/\/conversations\/\d+$/),
      page.getByLabel('Assigned to').selectOption({ label: OWNER.name }),
    ]);
    await page.getByText(`assigned it to ${OWNER.name}`).waitFor();
    await page.getByLabel('Add tag').fill('Billing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('.conversation-panel .tag', { hasText: 'billing' }).waitFor();
    assert.equal(await count('mine'), 1);
    assert.equal(await count('unassigned'), 2);
    await screenshot(page, 'workspace-panel');
  });

  await step('bulk close the unassigned two', async () => {
    await page.goto(`${ecp.baseUrl}/mailboxes/${mailboxId}?folder=unassigned`);
    const close = page.getByRole('toolbar').getByRole('button', { name: 'Close' });
    assert.equal(await close.isDisabled(), true, 'nothing selected yet');
    await page.getByLabel('Select all').check();
    await Promise.all([page.waitForURL(/folder=unassigned/), close.click()]);
    await page.getByText('No conversations here yet.').waitFor();
    assert.equal(await count('unassigned'), 0);
    assert.equal(await count('closed'), 2);
    assert.equal(await count('mine'), 1);
    await screenshot(page, 'workspace-bulk');
  });

  await step('Recent Actions shows who did what', async () => {
    await page.getByRole('link', { name: 'Recent Actions' }).click();
    await page.getByText(/tagged it .billing./).waitFor();
    assert.equal(await page.getByText('changed the status from open to closed').count(), 2);
    await screenshot(page, 'workspace-activity');
  });

  watch.assertClean('in the workspace');
  await context.close();
});
