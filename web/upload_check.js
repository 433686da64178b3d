// Drives Debian's headless Chromium (playwright-core) through the console's upload page.
// Used by tests/integration/console_upload_test.py.
//
//   node upload_check.js --url BASE --token-file FILE --good FILE --expect-red T1,T2,...
//                        --bad FILE --bad-expect TEXT --screenshot FILE
//                        [--timeout-s 60] [--chromium /usr/bin/chromium]
//
// Logs in through the login form, opens /upload, uploads --good and checks: every time
// in --expect-red (unix seconds) is among the chart's red points (#chart-upload
// data-red-points), the canvas pixel at each of those points is red, hovering one shows
// its cause as the tooltip, the anomalies table lists it in red, and the CSV download has
// is_anomaly=1 on those rows. Then uploads --bad and checks the error shown contains
// --bad-expect (the file and line). Prints one JSON line of figures; exits non-zero on
// the first failure.
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const out = { timeoutS: 60, chromium: '/usr/bin/chromium' };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') out.url = argv[++i];
    else if (a === '--token-file') out.tokenFile = argv[++i];
    else if (a === '--good') out.good = argv[++i];
    else if (a === '--expect-red') out.expectRed = argv[++i].split(',').map(Number);
    else if (a === '--bad') out.bad = argv[++i];
    else if (a === '--bad-expect') out.badExpect = argv[++i];
    else if (a === '--screenshot') out.screenshot = argv[++i];
    else if (a === '--timeout-s') out.timeoutS = Number(argv[++i]);
    else if (a === '--chromium') out.chromium = argv[++i];
    else throw new Error('unknown argument ' + a);
  }
  for (const k of ['url', 'tokenFile', 'good', 'expectRed', 'bad', 'badExpect', 'screenshot']) {
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
  const figures = {};
  const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(args.url + '/upload', { waitUntil: 'load', timeout });
    check(new URL(page.url()).pathname === '/login', 'expected the login page, got ' + page.url());
    await page.fill('#token', fs.readFileSync(args.tokenFile, 'utf8').trim());
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), page.click('#login')]);
    // The console's page links to the upload page once logged in.
    await page.waitForSelector('#upload-link:not([hidden])', { timeout });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), page.click('#upload-link')]);
    check(new URL(page.url()).pathname === '/upload', 'the link did not lead to /upload: ' + page.url());
    await page.waitForFunction(() => document.querySelector('#session').textContent.includes('logged in'),
                               null, { timeout });

    const t0 = Date.now();
    await page.setInputFiles('#file', args.good);
    await page.click('#score');
    await page.waitForFunction(() => document.querySelector('#chart-upload').dataset.redPoints !== undefined ||
                                     document.querySelector('#upload-result').dataset.state === 'error',
                               null, { timeout });
    const state = await page.getAttribute('#upload-result', 'data-state');
    check(state === 'ok', 'good file refused: ' + await page.textContent('#upload-result'));
    figures.good_scored_ms = Date.now() - t0;
    figures.summary = await page.textContent('#upload-result');
    const red = JSON.parse(await page.getAttribute('#chart-upload', 'data-red-points'));
    figures.red_points = red.length;
    const byTime = new Map(red.map((p) => [p.t, p]));
    for (const t of args.expectRed) {
      check(byTime.has(t), 'injected anomaly at ' + t + ' is not a red point; red: ' +
            JSON.stringify(red.map((p) => p.t)));
    }
    // The pixel under each injected anomaly's point is the anomaly red.
    const colours = await page.evaluate((pts) => {
      const canvas = document.querySelector('#chart-upload canvas');
      const g = canvas.getContext('2d');
      return pts.map((p) => Array.from(g.getImageData(p.x, p.y, 1, 1).data));
    }, args.expectRed.map((t) => byTime.get(t)));
    const anomalyRgb = await page.evaluate(() => {
      const d = document.createElement('div');
      d.style.color = getComputedStyle(document.documentElement).getPropertyValue('--anomaly');
      document.body.appendChild(d);
      const c = getComputedStyle(d).color;
      d.remove();
      return c.match(/\d+/g).slice(0, 3).map(Number);
    });
    colours.forEach((c, i) => {
      const close = c[3] > 200 && c.slice(0, 3).every((v, k) => Math.abs(v - anomalyRgb[k]) <= 40);
      check(close, 'pixel at the anomaly ' + args.expectRed[i] + ' is rgba(' + c + '), not the anomaly red ' +
            anomalyRgb);
    });
    figures.pixel_colours = colours;
    // Hovering the first injected anomaly shows its cause.
    const first = byTime.get(args.expectRed[0]);
    const box = await page.evaluate(() => {
      const c = document.querySelector('#chart-upload canvas').getBoundingClientRect();
      return { left: c.left, top: c.top, ratio: window.devicePixelRatio };
    });
    await page.mouse.move(box.left + first.x / box.ratio, box.top + first.y / box.ratio);
    await page.waitForSelector('#upload-tip:not([hidden])', { timeout: 5000 });
    const tip = await page.textContent('#upload-tip');
    check(tip.includes(first.cause) && first.cause.length > 5, 'tooltip "' + tip + '" lacks the cause "' +
          first.cause + '"');
    figures.tooltip = tip;
    // The table lists the anomalies in red with the cause as title.
    const rows = await page.$$eval('#upload-anomalies tbody tr', (trs) => trs.map((tr) => ({
      title: tr.title, color: getComputedStyle(tr.cells[0]).color, time: tr.cells[0].textContent })));
    check(rows.length >= args.expectRed.length, 'anomalies table has ' + rows.length + ' rows');
    check(rows.every((r) => r.title.length > 5), 'an anomaly row has no cause tooltip');
    check(rows[0].color.match(/\d+/g).slice(0, 3).map(Number).every((v, k) => Math.abs(v - anomalyRgb[k]) <= 2),
          'anomaly rows are not red: ' + rows[0].color);
    // The CSV download marks the injected rows.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout }), page.click('#upload-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    check(csv[0] === 'timestamp_utc,value,score,is_anomaly,kind,cause', 'CSV header: ' + csv[0]);
    for (const t of args.expectRed) {
      const stamp = new Date(t * 1000).toISOString().replace('.000Z', 'Z');
      const line = csv.find((l) => l.startsWith(stamp + ','));
      check(line && line.split(',')[3] === '1', 'CSV row for ' + stamp + ' is not flagged: ' + line);
    }
    figures.csv_rows = csv.length - 1;
    await page.screenshot({ path: args.screenshot, fullPage: true });

    // A bad file: the error names its line.
    await page.setInputFiles('#file', args.bad);
    await page.click('#score');
    await page.waitForSelector('#upload-result[data-state="error"]', { timeout });
    const error = await page.textContent('#upload-result');
    check(error.includes(args.badExpect), 'error "' + error + '" does not name "' + args.badExpect + '"');
    check(await page.isHidden('#upload-chart-card'), 'the chart of the good file is still shown');
    figures.bad_error = error;
    await page.screenshot({ path: args.screenshot.replace(/\.png$/, '-error.png'), fullPage: true });
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
