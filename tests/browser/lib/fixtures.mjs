// Real mail servers for browser tests: the `ecp-fixtures` process (crates/
// testkit) runs a Dovecot POP3 server and the aiosmtpd capture sink, and
// answers JSON requests on stdin, one line each.
//
// Environment: ECP_FIXTURES_BIN (default: $CARGO_TARGET_DIR/debug/ecp-fixtures).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';

const BIN = process.env.ECP_FIXTURES_BIN
  || join(process.env.CARGO_TARGET_DIR || '/var/tmp/ecp-target', 'debug', 'ecp-fixtures');

/// Starts Dovecot and the SMTP sink. Resolves to { pop3Port, popUser,
/// popPassword, smtpUrl, deliver(raw), captured(), waitForCaptured(n), stop() }.
export async function startMailFixtures() {
  assert.ok(existsSync(BIN), `no ecp-fixtures binary at ${BIN}: tests/browser/run.sh builds it`);
  const child = spawn(BIN, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c.toString(); });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  lines.on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l); else queue.push(l);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const nextLine = () => new Promise((resolve, reject) => {
    if (queue.length) { resolve(queue.shift()); return; }
    const timer = setTimeout(() => reject(new Error(`ecp-fixtures did not answer:\n${stderr}`)), 30_000);
    waiting.push((l) => { clearTimeout(timer); resolve(l); });
  });
  const request = async (req) => {
    child.stdin.write(JSON.stringify(req) + '\n');
    const answer = JSON.parse(await nextLine());
    assert.ok(!answer.error, `ecp-fixtures: ${answer.error}`);
    return answer;
  };

  const ready = JSON.parse(await nextLine());
  const fixtures = {
    pop3Port: ready.pop3_port,
    popUser: ready.pop_user,
    popPassword: ready.pop_password,
    smtpUrl: ready.smtp_url,
    deliver: (raw) => request({ deliver: raw }),
    captured: async () => (await request({ captured: true })).messages,
    async waitForCaptured(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = await fixtures.captured();
        if (got.length >= n) return got;
        assert.ok(Date.now() < deadline, `the SMTP sink has ${got.length} messages, expected ${n}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  return fixtures;
}

/// The value of a header in a captured message (unfolded), or ''.
export function header(data, name) {
  const head = data.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:\\s*(.*)$`, 'im');
  const m = head.match(re);
  return m ? m[1].trim() : '';
}
