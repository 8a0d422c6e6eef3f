// The whole mail loop as a new team would live it, in Chromium with real
// clicks and typing, against real servers (Dovecot POP3 and an aiosmtpd
// relay, from ecp-fixtures): a customer's message waits in a POP mailbox;
// the new owner signs up and adds the POP account in the mailbox settings;
// the message shows up as a conversation; the agent replies in the browser;
// the reply reaches the SMTP server from the mailbox's address, answering
// the customer's Message-ID; the customer's answer to it (In-Reply-To our
// Message-ID) is fetched and joins the same conversation. No JavaScript
// error and no CSP violation on the way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEcp, launchBrowser, watchContext, screenshot, pathOf } from './lib/harness.mjs';
import { startMailFixtures, header } from './lib/fixtures.mjs';
import { stepper } from './lib/steps.mjs';

const OWNER = { name: 'Olga Owner', email: 'olga@acme.example', password: 'olga-correct-horse-9' };
const MAILBOX = 'support@acme.example';
const SUBJECT = 'Where is my parcel?';
const FIRST = [
  'From: Carol Customer <carol@cust.example>',
  `To: ${MAILBOX}`,
  `Subject: ${SUBJECT}`,
  'Message-ID: <parcel-1@cust.example>',
  'Date: Mon, 2 Mar 2026 10:00:00 +0000',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, I ordered a teapot two weeks ago and it has not arrived.',
  '',
].join('\r\n');

let ecp;
let browser;
let mail;

before(async () => {
  mail = await startMailFixtures();
  ecp = await startEcp({
    label: 'outbound-loop',
    env: { ECP_SMTP_RELAY: mail.smtpUrl, ECP_POP_POLL_SECONDS: '1' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
  await mail?.stop();
});

/// Reloads `page` until `check` passes (mail arrives in the background).
async function eventually(page, check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        throw new Error(`${what} (on ${pathOf(page)}): ${e.message}\necp said:\n${ecp.output().slice(-3000)}`);
      }
    }
    await page.waitForTimeout(500);
    await page.reload();
  }
}

test('a customer message comes in by POP, the agent replies, the answer threads back', async (t) => {
  const step = stepper(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watch = await watchContext(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  let conversationPath = '';
  let reply = null;

  await step('the customer writes to the shop POP mailbox', async () => {
    await mail.deliver(FIRST);
  });

  await step('the owner signs up', async () => {
    await page.goto(ecp.baseUrl + '/');
    assert.equal(pathOf(page), '/signup');
    await page.getByLabel('Account name (your company or team)').fill('Acme Teapots');
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Your email address').fill(OWNER.email);
    await page.getByLabel('Password (at least 10 characters)').fill(OWNER.password);
    await page.getByLabel('Mailbox name, e.g. Support').fill('Support');
    await page.getByLabel(/^Mailbox email address/).fill(MAILBOX);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/'),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    await page.getByText('Welcome! Your account is ready.').waitFor();
  });

  await step('the owner adds the POP account to the mailbox', async () => {
    await page.getByRole('link', { name: 'Account & Tools' }).click();
    await page.getByRole('navigation', { name: /Account & Tools sections/ }).getByRole('link', { name: 'Mailboxes' }).click();
    await page.getByRole('main').getByRole('link', { name: 'Support' }).first().click();
    await page.getByRole('link', { name: 'Add POP account' }).click();
    await page.getByLabel(/^POP Account: a name/).fill('Shop inbox');
    await page.getByLabel(/^POP Server:/).fill('127.0.0.1');
    await page.getByLabel(/^POP Username:/).fill(mail.popUser);
    await page.getByLabel('Password of the external email account').fill(mail.popPassword);
    await page.getByLabel(/^Port/).fill(String(mail.pop3Port));
    // Plain POP3 (the fixture has no TLS); the Free plan offers no SSL box.
    if (await page.locator('#use_ssl').count()) await page.locator('#use_ssl').uncheck();
    await screenshot(page, 'outbound-loop-01-pop-form');
    await page.getByRole('button', { name: 'Add POP account' }).click();
    await page.locator('#pop-accounts').getByText('Shop inbox').first().waitFor();
  });

  await step('the customer message shows as a conversation', async () => {
    await page.goto(ecp.baseUrl + '/');
    await page.getByRole('main').getByRole('link', { name: 'Support' }).first().click();
    await eventually(page, async () => {
      await page.getByRole('link', { name: SUBJECT }).waitFor({ timeout: 500 });
    }, 'the POP message never showed');
    await page.getByRole('link', { name: SUBJECT }).click();
    await page.getByRole('heading', { name: new RegExp(SUBJECT.replace('?', '\\?')) }).waitFor();
    conversationPath = pathOf(page);
    assert.match(conversationPath, /^\/conversations\/\d+$/);
    await page.getByText('it has not arrived').waitFor();
    await screenshot(page, 'outbound-loop-02-conversation');
  });

  await step('the agent replies in the browser', async () => {
    const editor = page.locator('#reply').getByRole('textbox', { name: 'Message' });
    await editor.click();
    await page.keyboard.type('Hi Carol, your teapot left our warehouse this morning.');
    await Promise.all([
      page.waitForNavigation(),
      page.locator('#reply').getByRole('button', { name: 'Send', exact: true }).click(),
    ]);
    assert.equal(pathOf(page).split('?')[0].split('#')[0], conversationPath);
    // Our HTML reply shows in the conversation's sandboxed mail frame.
    const ours = page.locator('article.message').nth(1);
    await ours.getByText('(reply)').waitFor();
    await ours.frameLocator('iframe.mail-frame').getByText('your teapot left our warehouse').waitFor();
  });

  await step('the reply reaches the SMTP server, answering the customer', async () => {
    const got = await mail.waitForCaptured(1);
    assert.equal(got.length, 1);
    reply = got[0];
    assert.equal(reply.mail_from, MAILBOX);
    assert.deepEqual(reply.rcpt_tos, ['carol@cust.example']);
    assert.match(header(reply.data, 'From'), /support@acme\.example/);
    assert.match(header(reply.data, 'To'), /carol@cust\.example/);
    assert.equal(header(reply.data, 'In-Reply-To'), '<parcel-1@cust.example>');
    assert.match(header(reply.data, 'Subject'), /^Re: Where is my parcel\?/);
    assert.match(header(reply.data, 'Message-ID'), /^<[^>]+@[^>]+>$/);
    assert.match(reply.data, /teapot left our warehouse/);
    await eventually(page, async () => {
      await page.getByText('Delivery: sent').waitFor({ timeout: 500 });
    }, 'the reply never showed as sent');
    await screenshot(page, 'outbound-loop-03-reply-sent');
  });

  await step('the customer answers the reply and it threads into the conversation', async () => {
    const ourId = header(reply.data, 'Message-ID');
    const subject = header(reply.data, 'Subject');
    await mail.deliver([
      'From: Carol Customer <carol@cust.example>',
      `To: ${MAILBOX}`,
      `Subject: ${subject.startsWith('Re:') ? subject : `Re: ${subject}`}`,
      'Message-ID: <parcel-2@cust.example>',
      `In-Reply-To: ${ourId}`,
      `References: <parcel-1@cust.example> ${ourId}`,
      'Date: Mon, 2 Mar 2026 12:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Wonderful, it just arrived. Thank you!',
      '',
    ].join('\r\n'));
    await eventually(page, async () => {
      await page.getByText('it just arrived').waitFor({ timeout: 500 });
    }, 'the answer never joined the conversation');
    assert.equal(await page.locator('article.message').count(), 3);
    await screenshot(page, 'outbound-loop-04-threaded');
    // Still one conversation in the mailbox.
    await page.locator('.pane').getByRole('link', { name: 'Support' }).first().click();
    const rows = page.getByRole('main').locator('a[href^="/conversations/"]');
    assert.equal(await rows.count(), 1, 'the answer did not start a new conversation');
  });

  await context.close();
  watch.assertClean();
});
