// Drives Debian's headless Chromium (playwright-core) through the console page's pending
// approvals card. Used by tests/integration/console_approvals_test.py.
//
//   node approvals_check.js --url BASE --token-file FILE --approval-id N --expect TEXT
//                           --screenshot FILE [--read-only] [--timeout-s 60]
//                           [--chromium /usr/bin/chromium]
//
// Logs in through the login form with the token in FILE, waits for the card's row of
// approval N and checks the row contains TEXT (e.g. the limit exceeded). Then it types a
// reason, clicks the row's approve button and waits for the result line to say approval N
// was approved and for the row to go; or, with --read-only (a role that cannot decide),
// checks that the card has no approve or reject button and no reason field, and that its
// read-only line names the roles that can. Prints one JSON line; exits non-zero on the first
// failure.
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const out = { timeoutS: 60, chromium: '/usr/bin/chromium', readOnly: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') out.url = argv[++i];
    else if (a === '--token-file') out.tokenFile = argv[++i];
    else if (a === '--approval-id') out.approvalId = argv[++i];
    else if (a === '--expect') out.expect = argv[++i];
    else if (a === '--screenshot') out.screenshot = argv[++i];
    else if (a === '--read-only') out.readOnly = true;
    else if (a === '--timeout-s') out.timeoutS = Number(argv[++i]);
    else if (a === '--chromium') out.chromium = argv[++i];
    else throw new Error('unknown argument ' + a);
  }
  for (const k of ['url', 'tokenFile', 'approvalId', 'expect', 'screenshot']) {
    if (out[k] === undefined) throw new Error('--' + k + ' is required');
  }
  return out;
}

function check(cond, message) {
  if (!cond) throw new Error('check failed: ' + message);
}

(async () => {
  const args = parseArgs(process.argv);
  const timeout = args.timeoutS * 1000;
  const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(args.url + '/', { waitUntil: 'load', timeout });
    check(new URL(page.url()).pathname === '/login', 'expected the login page, got ' + page.url());
    await page.fill('#token', fs.readFileSync(args.tokenFile, 'utf8').trim());
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), page.click('#login')]);
    const row = '#approvals tr[data-approval-id="' + args.approvalId + '"]';
    await page.waitForSelector(row, { timeout });
    const text = await page.textContent(row);
    check(text.includes(args.expect), 'row ' + args.approvalId + ' says ' + JSON.stringify(text));
    const buttons = await page.locator('#approvals-card button[data-verb]').count();
    const readOnlyShown = await page.isVisible('#approvals-read-only');
    const reasonShown = await page.isVisible('#approvals-reason');
    if (args.readOnly) {
      check(buttons === 0, buttons + ' approve/reject buttons shown to a role that cannot decide');
      check(!reasonShown, 'the reason field is shown to a role that cannot decide');
      check(readOnlyShown, 'no read-only line');
      const note = await page.textContent('#approvals-read-only');
      check(note.includes('operator or admin'), 'read-only line says ' + JSON.stringify(note));
      await page.screenshot({ path: args.screenshot, fullPage: true });
      check(errors.length === 0, 'page errors: ' + errors.join('; '));
      console.log(JSON.stringify({ approval_id: args.approvalId, buttons, read_only: note }));
      return;
    }
    check(!readOnlyShown, 'the read-only line is shown to a role that can decide');
    check(buttons > 0, 'no approve/reject buttons for a role that can decide');
    await page.fill('#approvals-reason', 'checked in the browser');
    await page.screenshot({ path: args.screenshot, fullPage: true });
    await page.click(row + ' button[data-verb="approve"]');
    await page.waitForSelector('#approvals-result[data-state="ok"]', { timeout });
    const result = await page.textContent('#approvals-result');
    check(result.startsWith('approval ' + args.approvalId + ' approved by operator'),
          'result line says ' + JSON.stringify(result));
    await page.waitForSelector(row, { state: 'detached', timeout });
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    console.log(JSON.stringify({ approval_id: args.approvalId, result }));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
