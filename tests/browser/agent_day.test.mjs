// A new agent's first day, as one story in Chromium: the owner sets up the
// account and gives Ana and Colin the Help mailbox; an HTML mail arrives
// over SMTP; Ana signs in, opens the folder, reads the mail in its
// sandboxed frame, replies (the reply reaches a local SMTP capture standing
// for the relay), assigns the conversation to Colin (his "assigned to you"
// mail is captured too), adds a note, searches for a word of the mail with
// filters, saves the search and opens it from the sidebar, and adds the
// sender to Contacts. No page logs a JavaScript error or CSP violation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEcp, launchBrowser, watchContext, screenshot, pathOf } from './lib/harness.mjs';
import { stepper } from './lib/steps.mjs';
import { smtpAddrOf, sendMail, createAccount, startSmtpCapture, readableText } from './lib/mail.mjs';

const OWNER = { name: 'Olga Owner', email: 'olga@day.example', password: 'olga-long-password-1' };
const ANA = { name: 'Ana Agent', email: 'ana@day.example', password: 'ana-long-password-1' };
const COLIN = { name: 'Colin Colleague', email: 'colin@day.example', password: 'colin-long-password-1' };
const ADDRESS = 'help@day.example';
const CUSTOMER = 'dora@cust.example';
const SUBJECT = 'Flamingo lamp flickers';

let ecp;
let browser;
let relay;

before(async () => {
  relay = await startSmtpCapture();
  // No DNS here: SPF/DKIM/DMARC checks of inbound mail are off, and
  // outgoing mail goes to the capture.
  process.env.ECP_MAIL_AUTH = 'false';
  process.env.ECP_SMTP_RELAY = relay.url;
  try {
    ecp = await startEcp({ label: 'agent-day' });
  } finally {
    delete process.env.ECP_SMTP_RELAY;
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ecp?.stop();
  await relay?.stop();
});

function customerMail() {
  return [
    `From: Dora Customer <${CUSTOMER}>`,
    `To: ${ADDRESS}`,
    `Subject: ${SUBJECT}`,
    'Message-ID: <flamingo-1@cust.example>',
    'Date: Mon, 2 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello, my flamingo lamp flickers every evening. Order 4711.',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Hello, my <b>flamingo lamp</b> flickers every evening.</p><p>Order <i>4711</i>.</p>',
    '--alt--',
    '',
  ].join('\r\n');
}

async function addUser(page, user) {
  await page.goto(ecp.baseUrl + '/settings/users/new');
  await page.getByLabel('Name', { exact: true }).fill(user.name);
  await page.getByLabel('Email address (they sign in with it)').fill(user.email);
  await page.getByLabel('Role').selectOption('user');
  await page.getByRole('radio', { name: /Set an initial password/ }).check();
  await page.getByLabel(/^Initial password/).fill(user.password);
  await Promise.all([
    page.waitForURL(/\/settings\/users\?notice=user-added$/),
    page.getByRole('button', { name: 'Add user' }).click(),
  ]);
}

test('a new agent\'s day: read, reply, assign, note, search, save, contact', async (t) => {
  const step = stepper(t);
  const ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watchOwner = await watchContext(ownerCtx);
  const owner = await ownerCtx.newPage();
  owner.setDefaultTimeout(15_000);
  const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const watchAgent = await watchContext(agentCtx);
  const page = await agentCtx.newPage();
  page.setDefaultTimeout(15_000);
  const dialogs = [];
  for (const p of [owner, page]) p.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  let mailboxId = 0;
  let conversationUrl = '';
  const count = async (folder) => Number(await page.locator(`a[data-folder="${mailboxId}-${folder}"] .count`).innerText());

  await step('the owner sets up the account and gives Ana and Colin the Help mailbox', async () => {
    mailboxId = await createAccount(owner, ecp.baseUrl, { owner: OWNER, mailbox: 'Help', address: ADDRESS });
    await addUser(owner, ANA);
    await addUser(owner, COLIN);
    await owner.goto(`${ecp.baseUrl}/settings/mailboxes/${mailboxId}`);
    await owner.getByRole('checkbox', { name: new RegExp(ANA.name) }).check();
    await owner.getByRole('checkbox', { name: new RegExp(COLIN.name) }).check();
    await Promise.all([
      owner.waitForURL(new RegExp(`/settings/mailboxes/${mailboxId}\\?notice=saved$`)),
      owner.locator('#dialog-save').click(),
    ]);
    await owner.reload();
    assert.equal(await owner.getByRole('checkbox', { name: new RegExp(ANA.name) }).isChecked(), true);
    assert.equal(await owner.getByRole('checkbox', { name: new RegExp(COLIN.name) }).isChecked(), true);
  });

  await step('an HTML mail from a customer arrives over SMTP', async () => {
    await sendMail(smtpAddrOf(ecp), CUSTOMER, ADDRESS, customerMail());
  });

  await step('Ana signs in and finds it in the Unassigned folder', async () => {
    await page.goto(ecp.baseUrl + '/login');
    await page.getByLabel('Email address').fill(ANA.email);
    await page.getByLabel('Password').fill(ANA.password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.equal(await page.locator('#logged-in-as').textContent(), ANA.name);
    await page.getByRole('main').getByRole('link', { name: 'Help' }).first().click();
    await page.waitForURL(new RegExp(`/mailboxes/${mailboxId}`));
    const deadline = Date.now() + 15_000;
    while ((await count('unassigned')) !== 1) {
      assert.ok(Date.now() < deadline, 'the mail was filed');
      await page.waitForTimeout(300);
      await page.reload();
    }
    await page.locator(`a[data-folder="${mailboxId}-unassigned"]`).click();
    await page.waitForURL(/folder=unassigned/);
    const rows = page.locator('table.conversations tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent(), /Flamingo lamp flickers/);
    assert.equal(await page.locator('tr.unread').count(), 1, 'new mail is bold');
    await screenshot(page, 'agent-day-01-folder');
  });

  await step('she reads the HTML mail in its sandboxed frame', async () => {
    await page.getByRole('link', { name: SUBJECT }).click();
    await page.waitForURL(/\/conversations\/\d+$/);
    conversationUrl = page.url();
    await page.getByRole('heading', { name: new RegExp(SUBJECT) }).waitFor();
    const frame = page.locator('iframe.mail-frame');
    assert.equal(await frame.getAttribute('sandbox'), 'allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    await frame.scrollIntoViewIfNeeded();
    const body = page.frameLocator('iframe.mail-frame').locator('body');
    await body.getByText('flamingo lamp').waitFor();
    assert.match(await body.innerText(), /my flamingo lamp flickers every evening\.\s*Order 4711\./);
    assert.equal(await body.locator('b').first().textContent(), 'flamingo lamp', 'the HTML formatting is kept');
    assert.equal(await body.locator('script').count(), 0);
    await screenshot(page, 'agent-day-02-read');
  });

  await step('she replies; the reply is delivered to the customer', async () => {
    await page.locator('.reply-editor').click();
    await page.keyboard.type('Hello Dora, a replacement flamingo is on its way.');
    await Promise.all([
      page.waitForURL(/#message-\d+$/),
      page.getByRole('button', { name: 'Send', exact: true }).click(),
    ]);
    const reply = page.locator('article.message').filter({ hasText: '(reply)' });
    assert.equal(await reply.count(), 1);
    // The sent reply is HTML too: it shows in a frame of its own.
    await reply.locator('iframe.mail-frame').scrollIntoViewIfNeeded();
    const replyBody = reply.frameLocator('iframe.mail-frame').locator('body');
    await replyBody.getByText('a replacement flamingo is on its way').waitFor();
    const sent = await relay.waitFor(CUSTOMER, /^Subject: Re: Flamingo lamp flickers/m);
    assert.match(sent.data, /^In-Reply-To: <flamingo-1@cust\.example>/m);
    assert.match(readableText(sent.data), /a replacement flamingo is on its way/);
    // The page shows what the sender recorded.
    const deadline = Date.now() + 15_000;
    for (;;) {
      await page.goto(conversationUrl);
      const state = await page.locator('article.message .delivery').first().textContent();
      if (/Delivery:\s*sent/.test(state)) break;
      assert.ok(Date.now() < deadline, `delivery state still: ${state}`);
      await page.waitForTimeout(500);
    }
    await screenshot(page, 'agent-day-03-replied');
  });

  await step('she assigns it to Colin, who is mailed about it', async () => {
    await Promise.all([
      page.waitForURL(/\/conversations\/\d+$/),
      page.getByLabel('Assigned to').selectOption({ label: COLIN.name }),
    ]);
    await page.getByText(`assigned it to ${COLIN.name}`).waitFor();
    assert.equal(await page.getByLabel('Assigned to').locator('option:checked').textContent(), COLIN.name);
    await relay.waitFor(COLIN.email, /Flamingo lamp flickers/);
    assert.equal(await count('unassigned'), 0);
    assert.equal(await count('mine'), 0, 'it is Colin\'s, not Ana\'s');
  });

  await step('she adds a note for the team', async () => {
    await page.locator('.note-editor').click();
    await page.keyboard.type('Colin: order 4711 shipped last week.');
    await Promise.all([
      page.waitForURL(/#note-\d+$/),
      page.getByRole('button', { name: 'Add note' }).click(),
    ]);
    const note = page.locator('aside.note');
    assert.equal(await note.count(), 1);
    assert.match(await note.textContent(), /Ana Agent[\s\S]*Colin: order 4711 shipped last week\./);
    assert.equal(relay.messages.filter((m) => m.to.includes(CUSTOMER)).length, 1, 'a note is never mailed to the customer');
    await screenshot(page, 'agent-day-04-note');
  });

  let searchUrl = '';
  await step('she searches for a word of the mail with filters', async () => {
    await page.goto(ecp.baseUrl + '/search');
    await page.getByLabel(/^Words/).fill('flamingo');
    await page.locator('#mailbox').selectOption({ label: 'Help' });
    await page.locator('#status').selectOption('open');
    await Promise.all([
      page.waitForURL(/\/search\?q=flamingo/),
      page.getByRole('button', { name: 'Search', exact: true }).last().click(),
    ]);
    searchUrl = pathOf(page);
    assert.match(searchUrl, new RegExp(`mailbox=${mailboxId}`));
    assert.match(searchUrl, /status=open/);
    const rows = page.locator('#search-results tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent(), /Flamingo lamp flickers[\s\S]*open/);
    // The same words with a filter that excludes it find nothing.
    await page.goto(`${ecp.baseUrl}/search?q=flamingo&mailbox=${mailboxId}&status=closed`);
    await page.locator('#no-results').getByText('Nothing found.').waitFor();
    await page.goto(ecp.baseUrl + searchUrl);
    await screenshot(page, 'agent-day-05-search');
  });

  await step('she saves the search and opens it from the sidebar', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Flamingo trouble');
    await Promise.all([
      page.waitForURL(/notice=search-saved/),
      page.getByRole('button', { name: 'Save this search' }).click(),
    ]);
    await page.getByText('The search was saved.').waitFor();
    await page.goto(ecp.baseUrl + '/');
    const link = page.locator('#saved-searches').getByRole('link', { name: 'Flamingo trouble' });
    await Promise.all([page.waitForURL(/\/saved-searches\/\d+$/), link.click()]);
    await page.getByRole('heading', { level: 1, name: 'Flamingo trouble' }).waitFor();
    const rows = page.locator('#search-results tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent(), /Flamingo lamp flickers/);
    assert.equal(await page.locator('#status').inputValue(), 'open', 'the filters come back with it');
    await screenshot(page, 'agent-day-06-saved-search');
  });

  await step('she adds the sender to Contacts and sees the conversation in the history', async () => {
    await page.goto(conversationUrl);
    await Promise.all([
      page.waitForURL(/\/contacts\/\d+\?notice=contact-saved$/),
      page.getByRole('button', { name: 'Add sender to Contacts' }).click(),
    ]);
    await page.getByText(/^Added to Contacts/).waitFor();
    assert.equal(await page.locator('#contact-state').textContent(), 'In Contacts');
    assert.match(await page.getByRole('heading', { level: 1 }).textContent(), /Dora Customer|dora@cust\.example/);
    const history = page.locator('#contact-history tbody tr');
    assert.equal(await history.count(), 1);
    assert.equal(await history.first().getByRole('link').textContent(), SUBJECT);
    const cells = await history.first().locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 3), [SUBJECT, 'open', '2'], 'open, with the mail and the reply');
    assert.equal(
      await history.first().getByRole('link').getAttribute('href'),
      new URL(conversationUrl).pathname,
    );
    await screenshot(page, 'agent-day-07-contact');
    await page.getByRole('link', { name: 'Contacts', exact: true }).first().click();
    await page.waitForURL(/\/contacts$/);
    assert.match(await page.getByRole('main').textContent(), /dora@cust\.example/);
  });

  await step('Recent Actions tells the day, and nothing went wrong on any page', async () => {
    await page.goto(ecp.baseUrl + '/activity');
    await page.getByText(`assigned it to ${COLIN.name}`).waitFor();
    assert.ok(watchAgent.visited.size >= 10, `${watchAgent.visited.size} pages visited`);
    assert.deepEqual(dialogs, []);
    watchOwner.assertClean('(owner)');
    watchAgent.assertClean('(agent)');
  });

  await ownerCtx.close();
  await agentCtx.close();
});
