// Drives Debian's headless Chromium (playwright-core) through the gridpilot console page
// and checks what an operator would look at. Used by tests/integration/console_browser_test.py
// for both the live console and the backtest report.
//
//   node browser_check.js --url URL --screenshot FILE [--expect-anomaly] [--expect-event]
//                         [--token-file FILE [--set-thresholds RAMP_MW,MARGIN_MW
//                          --expect-write applied|refused]]
//                         [--timeout-s 60] [--chromium /usr/bin/chromium]
//
// With --token-file (the live console), the page first lands on the login form: the token
// is typed in and submitted, and the charts must follow. With --set-thresholds, the
// response thresholds form is filled in and applied, and the result line must say
// "applied" (or "refused", for a viewer) as --expect-write says.
// Checks: the net-load and asset charts have a canvas with drawn pixels and data points;
// the time-range filter narrows what is shown; a drag zooms both time charts together;
// with --expect-anomaly, an anomaly row is shown in red with its cause as the tooltip and
// the chart has a red anomaly point; with --expect-event, the ramp-event table has a row;
// the theme toggle changes the page's colours; the CSV download holds the shown rows; at
// phone width (390 px) nothing overflows sideways. Prints one JSON line of figures
// (milliseconds to the first data, to the anomaly) and exits non-zero on the first failure.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const out = { timeoutS: 60, chromium: '/usr/bin/chromium', expectAnomaly: false, expectEvent: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') out.url = argv[++i];
    else if (a === '--screenshot') out.screenshot = argv[++i];
    else if (a === '--timeout-s') out.timeoutS = Number(argv[++i]);
    else if (a === '--chromium') out.chromium = argv[++i];
    else if (a === '--expect-anomaly') out.expectAnomaly = true;
    else if (a === '--expect-event') out.expectEvent = true;
    else if (a === '--token-file') out.tokenFile = argv[++i];
    else if (a === '--set-thresholds') out.setThresholds = argv[++i].split(',').map(Number);
    else if (a === '--expect-write') out.expectWrite = argv[++i];
    else throw new Error('unknown argument ' + a);
  }
  if (!out.url || !out.screenshot) throw new Error('--url and --screenshot are required');
  return out;
}

function check(cond, message) {
  if (!cond) throw new Error('check failed: ' + message);
}

// Pixels of a chart's canvas that are not transparent: > 0 means something was drawn.
async function drawnPixels(page, id) {
  return page.evaluate((chartId) => {
    const canvas = document.querySelector('#' + chartId + ' canvas');
    if (!canvas) return -1;
    const g = canvas.getContext('2d');
    const img = g.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < img.length; i += 4) if (img[i] !== 0) n++;
    return n;
  }, id);
}

(async () => {
  const args = parseArgs(process.argv);
  const timeout = args.timeoutS * 1000;
  const figures = {};
  const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const t0 = Date.now();
    await page.goto(args.url, { waitUntil: 'load', timeout });
    if (args.tokenFile) {
      // Not logged in: the console sends the page to its login form.
      check(new URL(page.url()).pathname === '/login', 'expected the login page, got ' + page.url());
      const token = require('fs').readFileSync(args.tokenFile, 'utf8').trim();
      await page.fill('#token', token);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), page.click('#login')]);
      check(new URL(page.url()).pathname === '/', 'login did not lead to the console: ' + page.url());
      const cookies = await context.cookies();
      const sessionCookie = cookies.find((c) => c.name === 'gridpilot_session');
      check(sessionCookie && sessionCookie.httpOnly && sessionCookie.sameSite === 'Strict',
            'session cookie missing or not HttpOnly/SameSite=Strict: ' + JSON.stringify(sessionCookie));
      check(await page.evaluate(() => !document.cookie.includes('gridpilot_session')),
            'the session cookie is readable from the page');
      await page.waitForSelector('#session:not([hidden])', { timeout });
      figures.session = await page.textContent('#session');
    }
    figures.load_ms = Date.now() - t0;
    await page.waitForFunction(() => Number(document.querySelector('#chart-netload').dataset.points) > 0,
                               null, { timeout });
    figures.first_data_ms = Date.now() - t0;

    for (const id of ['chart-netload', 'chart-assets']) {
      const points = Number(await page.getAttribute('#' + id, 'data-points'));
      const pixels = await drawnPixels(page, id);
      check(pixels > 0, id + ' canvas is blank or missing (' + pixels + ')');
      check(points > 0, id + ' has no data points');
      figures[id.replace('chart-', '') + '_points'] = points;
    }

    if (args.expectAnomaly) {
      await page.waitForSelector('#anomalies tbody tr.anomaly', { timeout });
      await page.waitForFunction(() => Number(document.querySelector('#chart-netload').dataset.anomalyPoints) > 0,
                                 null, { timeout });
      figures.anomaly_ms = Date.now() - t0;
      // The table is re-rendered as data arrives, which detaches its rows, and a detached row
      // has no computed style. So the row is found and its colour read in one step inside the
      // page (page.$eval finds and reads in two), and only a row drawn in red ends the wait.
      const anomalyRow = (requireRed) => {
        const tr = document.querySelector('#anomalies tbody tr.anomaly');
        if (!tr) return null;
        const seen = {
          color: getComputedStyle(tr.cells[0]).color, title: tr.getAttribute('title'), kind: tr.dataset.kind,
          causeTitle: tr.querySelector('td.cause').getAttribute('title'),
        };
        const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(seen.color);
        const red = m !== null && Number(m[1]) >= 180 && Number(m[2]) <= 90 && Number(m[3]) <= 90;
        return red || !requireRed ? seen : null;
      };
      let row;
      try {
        row = await (await page.waitForFunction(anomalyRow, true, { timeout })).jsonValue();
      } catch (e) {
        const seen = await page.evaluate(anomalyRow, false).catch((e2) => String(e2));
        throw new Error('check failed: no anomaly row drawn in red within ' + args.timeoutS + ' s (' +
                        String(e.message).split('\n')[0] + '); last seen: ' + JSON.stringify(seen));
      }
      check(row.title && row.title.length > 5 && row.causeTitle === row.title, 'anomaly has no cause tooltip');
      figures.anomalies = await page.$$eval('#anomalies tbody tr.anomaly', (r) => r.length);
      figures.anomaly_kind = row.kind;
      figures.anomaly_cause = row.title;
    }

    if (args.expectEvent) {
      await page.waitForSelector('#events tbody tr.event', { timeout });
      figures.events = await page.$$eval('#events tbody tr.event', (r) => r.length);
      figures.event_ms = Date.now() - t0;
    }

    // The forecast's models: the serving one (startup, with its cut-off) is listed.
    await page.waitForSelector('#models tbody tr.serving', { timeout });
    const model = await page.$eval('#models tbody tr.serving', (tr) => ({
      source: tr.dataset.source, cutoff: tr.cells[1].textContent }));
    check(model.source === 'startup' && /^\d{4}-\d\d-\d\dT/.test(model.cutoff),
      'models card: serving row ' + JSON.stringify(model));
    figures.model_source = model.source;

    // Time-range filter: the last 2 h of data is fewer points than all of it.
    const allPoints = Number(await page.getAttribute('#chart-netload', 'data-points'));
    await page.selectOption('#range', '7200');
    await page.waitForTimeout(300);
    const recentPoints = Number(await page.getAttribute('#chart-netload', 'data-points'));
    check(recentPoints > 0 && recentPoints < allPoints,
          'range "last 2 h" shows ' + recentPoints + ' of ' + allPoints + ' points');
    figures.range_2h_points = recentPoints;
    await page.selectOption('#range', 'all');
    await page.waitForTimeout(300);

    // Zoom: dragging across the middle of the net-load chart narrows it, and the asset
    // chart follows to the same span.
    const span = async (id) => page.evaluate((chartId) => {
      const d = document.querySelector('#' + chartId).dataset;
      return [Number(d.xMin), Number(d.xMax)];
    }, id);
    const wide = await span('chart-netload');
    const over = await page.locator('#chart-netload .u-over').boundingBox();
    await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForTimeout(300);
    const narrow = await span('chart-netload');
    const follower = await span('chart-assets');
    check(narrow[1] - narrow[0] < 0.5 * (wide[1] - wide[0]), 'drag did not zoom: ' + wide + ' -> ' + narrow);
    check(Math.abs(follower[0] - narrow[0]) < 1 && Math.abs(follower[1] - narrow[1]) < 1,
          'asset chart did not follow the zoom: ' + follower + ' vs ' + narrow);
    await page.click('#reset-zoom');
    await page.waitForTimeout(300);

    // Theme: the toggle flips data-theme and the page's background.
    const before = await page.evaluate(() => [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]);
    await page.click('#theme');
    const after = await page.evaluate(() => [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]);
    check(before[0] !== after[0] && before[1] !== after[1], 'theme toggle changed nothing: ' + before + ' / ' + after);
    await page.click('#theme');

    // CSV of the net-load chart: a header and as many rows as the chart has x values.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout }),
                                          page.click('button[data-csv="netload"]')]);
    const csvPath = await download.path();
    const csv = require('fs').readFileSync(csvPath, 'utf8').trim().split('\n');
    check(csv[0].startsWith('time_utc,net_load_mw,reported_interval_mw,forecast_mw'), 'CSV header: ' + csv[0]);
    check(csv.length > 1, 'CSV has no rows');
    figures.csv_rows = csv.length - 1;
    const [png] = await Promise.all([page.waitForEvent('download', { timeout }),
                                     page.click('button[data-png="netload"]')]);
    const pngBytes = require('fs').readFileSync(await png.path());
    check(pngBytes.length > 1000 && pngBytes.slice(1, 4).toString() === 'PNG', 'PNG download is not a PNG');

    if (args.setThresholds) {
      await page.waitForSelector('#thresholds-card:not([hidden])', { timeout });
      await page.waitForFunction(() => document.querySelector('#ramp-limit').value !== '', null, { timeout });
      figures.thresholds_before = [Number(await page.inputValue('#ramp-limit')), Number(await page.inputValue('#margin'))];
      await page.fill('#ramp-limit', String(args.setThresholds[0]));
      await page.fill('#margin', String(args.setThresholds[1]));
      await page.click('#thresholds-apply');
      await page.waitForFunction(() => ['ok', 'error'].includes(document.querySelector('#thresholds-result').dataset.state),
                                 null, { timeout });
      const result = await page.textContent('#thresholds-result');
      figures.write_result = result;
      if (args.expectWrite === 'refused') {
        check(result.startsWith('refused:'), 'write was not refused: ' + result);
      } else {
        check(result.startsWith('applied by'), 'write was not applied: ' + result);
      }
    }

    if (args.tokenFile) {
      // The advice panel asks the forecast process once the session starts.
      await page.waitForSelector('#advice-card:not([hidden])', { timeout });
      await page.waitForFunction(() => ['ok', 'error'].includes(document.querySelector('#advice-result').dataset.state),
                                 null, { timeout });
      figures.advice = await page.textContent('#advice-result');
    }

    await page.screenshot({ path: args.screenshot, fullPage: true });

    // Phone width: the layout reflows to one column without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, 'page overflows a phone-width screen by ' + overflow + ' px');
    await page.screenshot({
      path: path.join(path.dirname(args.screenshot), path.basename(args.screenshot, '.png') + '-phone.png'),
      fullPage: false,
    });
    // Live page: the event stream's delivery and drawing times, as the page measured them.
    const live = await page.evaluate(() => [document.body.dataset.deliveryMs, document.body.dataset.drawMs,
                                            document.body.dataset.events]);
    if (live[2] !== undefined) {
      figures.sse_events = Number(live[2]);
      figures.sse_delivery_ms_p50 = Number(live[0]);
      figures.draw_ms_p50 = Number(live[1]);
    }
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
