// gridpilot console page: draws the JSON of services/console/console_state.h with uPlot.
// Live (served by gridpilot-console): the data comes from /api/stream (server-sent events,
// each a ConsoleState snapshot of what is new). Report (gridpilot backtest --html): the
// data is window.GRIDPILOT_REPORT, inlined with this script; nothing is fetched.
//
// Times: tick "t" is the tick time (the end of the step or interval it measured); forecast
// and anomaly "t" is the start of a settlement interval, drawn at its end (+30 min) so it
// lines up with the tick that measures it.
(function () {
  'use strict';
  const INTERVAL_S = 1800;
  const MAX_TABLE_ROWS = 300;
  const report = window.GRIDPILOT_REPORT || null;

  // ---- data held by the page --------------------------------------------------------
  const TICK_COLS = ['index', 't', 'net_load_mw', 'interval_net_load_mw', 'soc_mwh', 'battery_mw', 'peaker_mw',
                     'peaker_status', 'price_gbp_per_mwh'];
  const FORECAST_COLS = ['index', 'issue_t', 't', 'net_load_mw', 'lower_mw', 'upper_mw'];
  const data = {
    ticks: emptyCols(TICK_COLS), forecast: emptyCols(FORECAST_COLS), lastIndex: -1,
    anomalies: [], events: [], episodes: [], decisions: [], schedule: null, pnl: null,
    latestForecast: null, sources: {}, summary: null, bandCoverage: 0.9, version: -1,
    telemetry: { silent: false, silent_since_t: null },
  };

  function emptyCols(names) {
    const o = {};
    for (const n of names) o[n] = [];
    return o;
  }

  function appendCols(into, from, names) {
    for (const n of names) {
      const column = from[n] || [];
      for (let i = 0; i < column.length; i++) into[n].push(column[i]);
    }
  }

  function merge(s) {
    if (s.reset) {
      data.ticks = emptyCols(TICK_COLS);
      data.forecast = emptyCols(FORECAST_COLS);
    }
    appendCols(data.ticks, s.ticks, TICK_COLS);
    appendCols(data.forecast, s.forecast, FORECAST_COLS);
    data.lastIndex = s.last_index;
    data.version = s.version;
    data.anomalies = s.anomalies || [];
    data.events = s.events || [];
    data.episodes = s.episodes || [];
    data.decisions = s.decisions || [];
    data.schedule = s.schedule;
    data.pnl = s.pnl;
    data.latestForecast = s.latest_forecast;
    data.sources = s.sources || {};
    data.telemetry = s.telemetry || { silent: false, silent_since_t: null };
    data.summary = s.summary;
    data.processes = s.processes || [];
    data.models = s.models || null;
    if (typeof s.band_coverage === 'number') data.bandCoverage = s.band_coverage;
  }

  // ---- helpers ------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children || []) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  }

  function iso(t) {
    if (t === null || t === undefined) return '';
    return new Date(t * 1000).toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$/, '').replace('Z', '');
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '';
    return Number(v).toFixed(digits === undefined ? 1 : digits);
  }

  function gbp(v) {
    if (v === null || v === undefined) return '';
    return Math.round(v).toLocaleString('en-GB');
  }

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function csvCell(v) {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function download(name, blob) {
    const a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // ---- time range ---------------------------------------------------------------------
  // [lo, hi] in Unix seconds of tick time, from the range control; relative ranges count
  // back from the newest data (a report is history, so never from the wall clock).
  function range() {
    const sel = $('range').value;
    const t = data.ticks.t;
    const newest = t.length ? t[t.length - 1] : 0;
    if (sel === 'all') return [-Infinity, Infinity];
    if (sel === 'custom') {
      const f = Date.parse($('range-from').value + 'Z');
      const to = Date.parse($('range-to').value + 'Z');
      return [Number.isNaN(f) ? -Infinity : f / 1000, Number.isNaN(to) ? Infinity : to / 1000];
    }
    return [newest - Number(sel), Infinity];
  }
  const inRange = (t, r) => t >= r[0] && t <= r[1];

  // ---- chart views --------------------------------------------------------------------
  // Each view turns the held data into uPlot columns for the current range and keeps the
  // rows it drew for the CSV download.
  function netloadView(r) {
    const xs = new Map();  // x -> row
    const row = (x) => {
      if (!xs.has(x)) xs.set(x, { x, load: null, reported: null, fc: null, lo: null, hi: null, anom: null, cause: '' });
      return xs.get(x);
    };
    const T = data.ticks;
    for (let i = 0; i < T.t.length; i++) {
      if (!inRange(T.t[i], r)) continue;
      const o = row(T.t[i]);
      o.load = T.net_load_mw[i];
      o.reported = T.interval_net_load_mw[i];
    }
    const F = data.forecast;
    for (let i = 0; i < F.t.length; i++) {
      const x = F.t[i] + INTERVAL_S;
      if (!inRange(x, r)) continue;
      const o = row(x);
      o.fc = F.net_load_mw[i]; o.lo = F.lower_mw[i]; o.hi = F.upper_mw[i];
    }
    for (const a of data.anomalies) {
      const x = a.t + INTERVAL_S;
      if (!inRange(x, r) || a.value_mw === null) continue;
      const o = row(x);
      o.anom = a.value_mw; o.cause = a.kind + ': ' + a.cause;
    }
    const rows = [...xs.values()].sort((a, b) => a.x - b.x);
    return {
      rows,
      cols: [rows.map((o) => o.x), rows.map((o) => o.load), rows.map((o) => o.reported),
             rows.map((o) => o.fc), rows.map((o) => o.lo), rows.map((o) => o.hi), rows.map((o) => o.anom)],
      csv: [['time_utc', 'net_load_mw', 'reported_interval_mw', 'forecast_mw', 'band_lower_mw', 'band_upper_mw',
             'anomaly_mw', 'anomaly'],
            ...rows.map((o) => [iso(o.x), o.load, o.reported, o.fc, o.lo, o.hi, o.anom, o.cause])],
    };
  }

  function assetsView(r) {
    const T = data.ticks;
    const rows = [];
    for (let i = 0; i < T.t.length; i++) {
      if (!inRange(T.t[i], r)) continue;
      rows.push([T.t[i], T.soc_mwh[i], T.battery_mw[i], T.peaker_mw[i], T.peaker_status[i]]);
    }
    return {
      rows,
      cols: [rows.map((o) => o[0]), rows.map((o) => o[1]), rows.map((o) => o[2]), rows.map((o) => o[3])],
      csv: [['time_utc', 'soc_mwh', 'battery_mw', 'peaker_mw', 'peaker_status'],
            ...rows.map((o) => [iso(o[0]), o[1], o[2], o[3], o[4]])],
    };
  }

  function scheduleView() {
    const s = data.schedule && data.schedule.intervals;
    const n = s ? s.t.length : 0;
    const x = [], p = [], soc = [], price = [], csv = [['interval_start_utc', 'power_mw', 'soc_after_mwh', 'price_forecast_gbp_per_mwh']];
    for (let i = 0; i < n; i++) {
      x.push(s.t[i] + INTERVAL_S / 2); p.push(s.power_mw[i]); soc.push(s.soc_after_mwh[i]);
      price.push(s.price_gbp_per_mwh[i]);
      csv.push([iso(s.t[i]), s.power_mw[i], s.soc_after_mwh[i], s.price_gbp_per_mwh[i]]);
    }
    return { rows: x, cols: [x, p, soc, price], csv };
  }

  const utc = (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

  function axis(side, label, scale) {
    const o = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 },
                ticks: { stroke: cssVar('--grid') }, label, size: 56 };
    if (side !== undefined) o.side = side;
    if (scale) o.scale = scale;
    if (side === 1) o.grid = { show: false };
    return o;
  }

  const CHARTS = {
    netload: {
      view: netloadView,
      height: 300,
      opts: () => ({
        series: [
          {},
          { label: 'net load MW', stroke: cssVar('--line'), width: 1.5, spanGaps: true },
          { label: 'reported interval MW', stroke: cssVar('--muted'), width: 1, dash: [2, 3], spanGaps: true },
          { label: 'forecast MW', stroke: cssVar('--forecast'), width: 1.5, dash: [6, 4], spanGaps: true },
          { label: 'band low', stroke: cssVar('--forecast'), width: 0.5, spanGaps: true },
          { label: 'band high', stroke: cssVar('--forecast'), width: 0.5, spanGaps: true },
          { label: 'anomaly', stroke: cssVar('--anomaly'), width: 0, paths: () => null,
            points: { show: true, size: 10, width: 2, stroke: cssVar('--anomaly'), fill: cssVar('--anomaly') } },
        ],
        bands: [{ series: [5, 4], fill: cssVar('--band') }],
        axes: [axis(), axis(3, 'MW')],
      }),
    },
    assets: {
      view: assetsView,
      height: 220,
      opts: () => ({
        series: [
          {},
          { label: 'SoC MWh', stroke: cssVar('--soc'), width: 1.5, scale: 'mwh', spanGaps: true },
          { label: 'battery MW', stroke: cssVar('--battery'), width: 1, scale: 'mw' },
          { label: 'peaker MW', stroke: cssVar('--peaker'), width: 1.5, scale: 'mw' },
        ],
        axes: [axis(), axis(3, 'MWh', 'mwh'), axis(1, 'MW', 'mw')],
      }),
    },
    schedule: {
      view: scheduleView,
      height: 220,
      opts: () => ({
        series: [
          {},
          { label: 'planned MW', stroke: cssVar('--battery'), fill: cssVar('--band'), width: 1,
            scale: 'mw', paths: uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined },
          { label: 'SoC after MWh', stroke: cssVar('--soc'), width: 1.5, scale: 'mwh' },
          { label: 'price £/MWh', stroke: cssVar('--price'), width: 1, scale: 'gbp', dash: [4, 3] },
        ],
        axes: [axis(), axis(3, 'MW', 'mw'), axis(1, '£/MWh', 'gbp')],
      }),
    },
  };

  const TIME_CHARTS = ['netload', 'assets'];
  const plots = {};
  const views = {};
  let zoomed = false;

  function buildChart(name) {
    const spec = CHARTS[name];
    const host = $('chart-' + name);
    if (plots[name]) { plots[name].destroy(); delete plots[name]; }
    host.textContent = '';
    const o = spec.opts();
    o.width = Math.max(200, host.clientWidth);
    o.height = window.innerWidth < 600 ? Math.round(spec.height * 0.75) : spec.height;
    o.tzDate = utc;
    o.cursor = { drag: { x: true, y: false } };
    o.hooks = {
      setSelect: [(u) => {
        if (u.select.width <= 0) return;
        zoomed = true;
        // The time charts zoom together: net load and the assets share the time axis.
        const lo = u.posToVal(u.select.left, 'x');
        const hi = u.posToVal(u.select.left + u.select.width, 'x');
        for (const other of TIME_CHARTS) {
          if (plots[other] && plots[other] !== u) plots[other].setScale('x', { min: lo, max: hi });
        }
      }],
      // The shown time span, for tests and for anyone reading the DOM.
      setScale: [(u, key) => {
        if (key !== 'x') return;
        host.dataset.xMin = String(u.scales.x.min);
        host.dataset.xMax = String(u.scales.x.max);
      }],
    };
    const empty = o.series.map(() => []);
    plots[name] = new uPlot(o, empty, host);
    // A double-click resets uPlot's zoom; let new data rescale again.
    host.addEventListener('dblclick', () => { zoomed = false; });
  }

  function buildCharts() {
    for (const name of Object.keys(CHARTS)) buildChart(name);
  }

  function countPoints(cols) {
    let n = 0;
    for (let s = 1; s < cols.length; s++) for (const v of cols[s]) if (v !== null && v !== undefined) n++;
    return n;
  }

  function drawCharts(r) {
    for (const name of Object.keys(CHARTS)) {
      const v = CHARTS[name].view(r);
      views[name] = v;
      plots[name].setData(v.cols, !zoomed);
      $('chart-' + name).dataset.points = String(countPoints(v.cols));
    }
    $('chart-netload').dataset.anomalyPoints =
      String(views.netload.cols[6].filter((v) => v !== null).length);
  }

  // ---- tables -------------------------------------------------------------------------
  const tableCsv = {};

  function fillTable(id, header, rows, rowAttrs) {
    const body = $(id).tBodies[0];
    body.textContent = '';
    for (let i = 0; i < rows.length && i < MAX_TABLE_ROWS; i++) {
      const attrs = rowAttrs ? rowAttrs(i) : {};
      const tr = el('tr', attrs.tr || {});
      rows[i].forEach((cell, j) => {
        const a = (attrs.cells && attrs.cells[j]) || {};
        tr.appendChild(el('td', Object.assign({ text: cell === null || cell === undefined ? '' : String(cell) }, a)));
      });
      body.appendChild(tr);
    }
    tableCsv[id] = [header, ...rows];
  }

  function drawAnomalies(r) {
    const list = data.anomalies.filter((a) => inRange(a.t + INTERVAL_S, r)).reverse();
    fillTable('anomalies',
      ['interval_start_utc', 'kind', 'value_mw', 'expected_mw', 'residual_z', 'suspect', 'cause'],
      list.map((a) => [iso(a.t), a.kind, fmt(a.value_mw), fmt(a.expected_mw), fmt(a.residual_z, 2),
                       a.suspect ? 'yes' : 'no', a.cause]),
      (i) => ({
        tr: { class: 'anomaly', title: list[i].cause, 'data-kind': list[i].kind,
              'data-suspect': String(list[i].suspect) },
        cells: { 6: { class: 'cause', title: list[i].cause } },
      }));
  }

  function appliedText(e) {
    return e.applied.map((d) => d.asset_id + ' ' + fmt(d.applied_mw) + ' MW (' + (d.agent || 'idle') + ')').join('; ');
  }

  function drawEvents(r) {
    const list = data.events.filter((e) => inRange(e.t + INTERVAL_S, r)).reverse();
    fillTable('events',
      ['interval_start_utc', 'kind', 'change_mw', 'limit_mw', 'decision', 'applied', 'reason'],
      list.map((e) => [iso(e.t), e.kind, fmt(e.change_mw), fmt(e.limit_mw), e.decision, appliedText(e), e.reason]),
      (i) => ({ tr: { class: 'event', title: list[i].reason, 'data-kind': list[i].kind } }));
    // The on-screen table has no reason column: it is the row's tooltip.
    for (const tr of $('events').tBodies[0].rows) tr.deleteCell(6);
  }

  function drawEpisodes() {
    const list = data.episodes.slice().reverse();
    fillTable('episodes',
      ['id', 'state', 'outcome', 'forecast_at_utc', 'started_at_utc', 'countered_at_utc', 'resolved_at_utc',
       'peak_change_mw', 'peak_excess_mw', 'reason'],
      list.map((e) => [e.id, e.state, e.outcome, iso(e.forecast_t), iso(e.started_t), iso(e.countered_t),
                       iso(e.resolved_t), fmt(e.peak_change_mw), fmt(e.peak_excess_mw), e.reason]),
      (i) => ({ tr: { title: list[i].reason } }));
    // On screen: no forecast-at and reason columns (the reason is the tooltip).
    for (const tr of $('episodes').tBodies[0].rows) { tr.deleteCell(9); tr.deleteCell(3); }
  }

  function drawDecisions(r) {
    const list = data.decisions.filter((d) => inRange(d.t, r)).reverse();
    fillTable('decisions',
      ['interval_start_utc', 'asset_id', 'agent', 'requested_mw', 'applied_mw', 'reason'],
      list.map((d) => [iso(d.t), d.asset_id, d.agent, fmt(d.requested_mw), fmt(d.applied_mw), d.reason]),
      (i) => ({ tr: { title: list[i].reason } }));
  }

  function drawPnl() {
    const body = $('pnl').tBodies[0];
    body.textContent = '';
    const p = data.pnl;
    tableCsv.pnl = [['cause', 'amount_gbp']];
    if (!p) { $('pnl-note').textContent = 'no settlement yet'; return; }
    const max = Math.max(1, ...p.by_cause.map((c) => Math.abs(c.amount_gbp)));
    for (const c of p.by_cause) {
      const bar = el('div', { class: 'pnlbar ' + (c.amount_gbp >= 0 ? 'pos' : 'neg'),
                              style: 'width:' + (100 * Math.abs(c.amount_gbp) / max).toFixed(1) + '%' });
      body.appendChild(el('tr', { 'data-cause': c.cause }, [
        el('td', { text: c.cause.replace(/_/g, ' ') }), el('td', { class: 'num', text: gbp(c.amount_gbp) }),
        el('td', {}, [bar])]));
      tableCsv.pnl.push([c.cause, c.amount_gbp]);
    }
    body.appendChild(el('tr', { class: 'total' }, [el('td', { text: 'net' }),
      el('td', { class: 'num', text: gbp(p.net_gbp) }), el('td')]));
    tableCsv.pnl.push(['net', p.net_gbp]);
    $('pnl-note').textContent = p.intervals_settled + ' intervals settled; instability penalty with no dispatch £' +
      gbp(p.baseline_instability_penalty_gbp) + '; response net benefit £' + gbp(p.response_net_benefit_gbp) +
      '; battery cycles ' + fmt(p.battery_cycles, 1);
  }

  // The forecast's models: each one's cut-off and age on the stack's clock, the schedule.
  function drawModels() {
    const m = data.models;
    const list = m ? m.models : [];
    fillTable('models', ['source', 'cutoff_utc', 'first_issue_utc', 'age_days', 'training_s', 'waited_s'],
      list.map((x) => [x.source, x.cutoff, x.first_issue_time || '', x.age_seconds === null ? '' : fmt(x.age_seconds / 86400, 1),
                       fmt(x.training_wall_seconds, 1), fmt(x.waited_wall_seconds, 1)]),
      (i) => ({ tr: { title: list[i].model, 'data-source': list[i].source,
                      class: i === list.length - 1 ? 'serving' : '' } }));
    $('models-note').textContent = !m ? 'no models read yet'
      : 'retraining: ' + (m.every === 'none' ? 'none' : 'every ' + m.every + ' at ' + m.at + ' UTC on ' +
        m.training_days + ' days') + '; the last row is serving';
  }

  function drawSummary() {
    const s = data.summary;
    $('summary-card').hidden = !s;
    if (!s) return;
    const body = $('summary').tBodies[0];
    body.textContent = '';
    const flat = [];
    (function walk(prefix, v) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, w] of Object.entries(v)) walk(prefix ? prefix + '.' + k : k, w);
      } else {
        flat.push([prefix, Array.isArray(v) ? JSON.stringify(v) : v]);
      }
    })('', s);
    for (const [k, v] of flat) {
      body.appendChild(el('tr', {}, [el('th', { text: k }),
        el('td', { class: 'num', text: typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v) })]));
    }
  }

  function drawStatusLine() {
    const t = data.ticks;
    const n = t.t.length;
    const peaker = n ? t.peaker_status[n - 1] : '';
    $('peaker-state').textContent = peaker ? peaker + ' (' + fmt(t.peaker_mw[n - 1]) + ' MW)' : 'no peaker';
    $('battery-now').textContent = n && t.soc_mwh[n - 1] !== null
      ? fmt(t.soc_mwh[n - 1]) + ' MWh, ' + fmt(t.battery_mw[n - 1]) + ' MW' : '-';
    $('band-label').textContent = Math.round(data.bandCoverage * 100) + '%';
    const s = data.schedule;
    $('schedule-note').textContent = s
      ? 'planned ' + iso(s.planned_t) + ' UTC, expected £' + gbp(s.expected_value_gbp) + ': ' + s.reason
      : 'no plan yet';
    if (report) {
      const n = data.forecast.t.length;
      const intervals = data.ticks.t.length;
      $('netload-note').dataset.forecasts = String(n);
      if (n && n < intervals && !$('netload-note').dataset.noted) {
        $('netload-note').dataset.noted = '1';
        $('netload-note').textContent += ' Forecasts are shown for the last ' + n +
          ' intervals: the forecast service keeps its newest 512.';
      }
    }
    const silent = $('telemetry');
    silent.hidden = !data.telemetry.silent;
    silent.textContent = data.telemetry.silent
      ? 'telemetry silent since ' + iso(data.telemetry.silent_since_t) + ' UTC: region degraded'
      : '';
    const bad = Object.entries(data.sources).filter(([, v]) => !v.ok);
    $('sources').textContent = bad.map(([k, v]) => k + ': ' + v.error).join(' | ');
    // The launcher's supervisor: only processes that were restarted or are not running.
    $('processes').textContent = (data.processes || [])
      .filter((p) => p.restarts > 0 || p.state !== 'running')
      .map((p) => p.name + ' ' + p.state.replace('_', ' ') + ', ' + p.restarts + ' restart' +
        (p.restarts === 1 ? '' : 's') + (p.last_exit ? ' (last exit ' + p.last_exit + ')' : ''))
      .join(' | ');
  }

  // ---- drawing ------------------------------------------------------------------------
  // Live figures, kept on the body for anyone measuring the page: the median time from the
  // server writing an event to this page receiving it, and from receiving it to drawn.
  const delivery = [];
  const drawing = [];
  let receivedAt = null;
  function median(list) {
    const s = list.slice().sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : null;
  }
  function remember(list, v) {
    list.push(v);
    if (list.length > 200) list.shift();
  }

  let pending = false;
  function render() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const r = range();
      drawCharts(r);
      drawAnomalies(r);
      drawEvents(r);
      drawEpisodes();
      drawDecisions(r);
      drawPnl();
      drawModels();
      drawSummary();
      drawStatusLine();
      document.body.dataset.version = String(data.version);
      if (receivedAt !== null) {
        remember(drawing, performance.now() - receivedAt);
        receivedAt = null;
        document.body.dataset.drawMs = String(median(drawing));
        document.body.dataset.deliveryMs = String(median(delivery));
        document.body.dataset.events = String(delivery.length);
      }
      document.body.dataset.ready = data.ticks.t.length > 0 ? '1' : '0';
    });
  }

  // ---- controls -----------------------------------------------------------------------
  function setTheme(theme) {
    document.documentElement.dataset.theme = theme;
    $('theme').textContent = theme === 'dark' ? 'light theme' : 'dark theme';
    try { localStorage.setItem('gridpilot-theme', theme); } catch (e) { /* private mode */ }
    buildCharts();
    render();
  }

  function chartPng(name) {
    const u = plots[name];
    const chartCanvas = u.ctx.canvas;
    const c = document.createElement('canvas');
    c.width = chartCanvas.width;
    c.height = chartCanvas.height;
    const g = c.getContext('2d');
    g.fillStyle = cssVar('--card');
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(chartCanvas, 0, 0);
    c.toBlob((b) => download('gridpilot-' + name + '.png', b), 'image/png');
  }

  function csvFor(name) {
    if (views[name]) return views[name].csv;
    return tableCsv[name] || [];
  }

  function wireControls() {
    $('theme').addEventListener('click', () =>
      setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
    $('range').addEventListener('change', () => {
      $('custom-range').hidden = $('range').value !== 'custom';
      zoomed = false;
      render();
    });
    for (const id of ['range-from', 'range-to']) $(id).addEventListener('change', () => { zoomed = false; render(); });
    $('reset-zoom').addEventListener('click', () => { zoomed = false; buildCharts(); render(); });
    document.addEventListener('click', (ev) => {
      const b = ev.target.closest('button');
      if (!b) return;
      if (b.dataset.csv) {
        const rows = csvFor(b.dataset.csv);
        download('gridpilot-' + b.dataset.csv + '.csv',
          new Blob([rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n'], { type: 'text/csv' }));
      } else if (b.dataset.png) {
        chartPng(b.dataset.png);
      }
    });
    let resizeTimer = null;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        for (const [name, u] of Object.entries(plots)) {
          const host = $('chart-' + name);
          u.setSize({ width: Math.max(200, host.clientWidth),
                      height: window.innerWidth < 600 ? Math.round(CHARTS[name].height * 0.75) : CHARTS[name].height });
        }
      }, 150);
    });
  }

  // The logged-in person: role and the CSRF token every write sends (live console only).
  let session = null;

  async function api(path, options) {
    const r = await fetch(path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options || {}));
    if (r.status === 401) {
      window.location.assign('/login');
      throw new Error('session ended');
    }
    let body = {};
    try { body = await r.json(); } catch (e) { body = {}; }
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  function write(path, payload) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
                       body: JSON.stringify(payload) });
  }

  function showThresholds(t) {
    $('ramp-limit').value = t.ramp_limit_mw;
    $('margin').value = t.margin_mw;
  }

  // The advice panel: GET /api/advice with the form's options, shown as sentences.
  function startAdvice() {
    $('advice-card').hidden = false;
    const result = $('advice-result');
    const ask = async () => {
      const q = new URLSearchParams({ flexible_share: $('advice-share').value || '0.05' });
      if ($('advice-limit').value) q.set('peak_limit_mw', $('advice-limit').value);
      if ($('advice-battery').value) q.set('battery_capacity_mwh', $('advice-battery').value);
      result.textContent = 'asking...';
      delete result.dataset.state;
      try {
        const a = await api('/api/advice?' + q.toString());
        const windows = (list) => (list || []).map((w) => w.text).join(', ') || 'never';
        result.textContent = a.day.slice(0, 10) + ': ' + a.advice + '; peak ' + fmt(a.forecast_peak_mw, 0) +
          ' MW to ' + fmt(a.forecast_peak_after_mw, 0) + ' MW, saving £' + gbp(a.forecast_saved_gbp || 0) +
          (a.has_battery ? '; battery: buy ' + windows(a.battery_charge) + ', use ' + windows(a.battery_discharge) +
            ', return £' + gbp(a.battery_forecast_return_gbp || 0) : '');
        result.dataset.state = 'ok';
      } catch (e) {
        result.textContent = 'no advice: ' + e.message;
        result.dataset.state = 'error';
      }
    };
    $('advice-form').addEventListener('submit', (ev) => { ev.preventDefault(); ask(); });
    ask();
  }

  // The pending approvals: GET /api/approvals, each approved or rejected with the reason
  // field's text as a write; the table is rebuilt after each decision and every 15 s. A
  // session whose role cannot decide (session.can_decide_approvals) sees the table
  // read-only, with no buttons: the gateway would refuse them.
  function startApprovals() {
    $('approvals-card').hidden = false;
    const canDecide = session.can_decide_approvals === true;
    if (!canDecide) {
      const roles = session.approval_decider_roles || [];
      $('approvals-read-only').textContent = 'Read-only for ' + session.role + ': approving or rejecting needs the ' +
        (roles.length ? roles.join(' or ') : 'operator or admin') + ' role.';
      $('approvals-read-only').hidden = false;
      $('approvals-reason-label').hidden = true;
      $('approvals-actions-head').hidden = true;
    }
    const result = $('approvals-result');
    const body = document.querySelector('#approvals tbody');
    const stamp = (t) => (t ? String(t).replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '');
    const cell = (row, text, cls) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      row.appendChild(td);
      return td;
    };
    const decide = async (id, verb) => {
      result.textContent = verb + ' ' + id + '...';
      delete result.dataset.state;
      try {
        const r = await write('/api/approvals/' + verb, { approval_id: Number(id), reason: $('approvals-reason').value });
        result.textContent = 'approval ' + r.approval_id + ' ' + r.decision + ' by ' + r.by +
          (r.proposal_id ? ': proposal ' + r.proposal_id : '');
        result.dataset.state = 'ok';
      } catch (e) {
        result.textContent = 'refused: ' + e.message;
        result.dataset.state = 'error';
      }
      load();
    };
    const load = async () => {
      let list;
      try {
        list = (await api('/api/approvals')).approvals || [];
      } catch (e) {
        result.textContent = 'cannot read the approvals: ' + e.message;
        result.dataset.state = 'error';
        return;
      }
      body.replaceChildren();
      if (list.length === 0) {
        const row = body.insertRow();
        cell(row, 'none pending').colSpan = canDecide ? 9 : 8;
      }
      for (const a of list) {
        const p = a.proposal || {};
        const row = body.insertRow();
        row.dataset.approvalId = a.approval_id;
        cell(row, a.approval_id);
        cell(row, a.identity + ' (' + a.role + ')');
        cell(row, p.asset_id || '');
        cell(row, fmt(p.power_mw || 0, 1), 'num');
        cell(row, stamp(p.start) + ' to ' + stamp(p.end));
        cell(row, a.pending_reason || '');
        cell(row, p.reason || '');
        cell(row, stamp(a.expires_at));
        if (!canDecide) continue;
        const td = cell(row, '');
        for (const verb of ['approve', 'reject']) {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = verb;
          b.dataset.verb = verb;
          b.addEventListener('click', () => decide(a.approval_id, verb));
          td.appendChild(b);
        }
      }
    };
    $('approvals-refresh').addEventListener('click', load);
    setInterval(load, 15000);
    load();
  }

  async function startSession() {
    session = await api('/api/session');
    $('session').textContent = 'logged in: ' + session.role;
    $('session').hidden = false;
    $('logout').hidden = false;
    $('pdf').hidden = false;
    $('pdf').addEventListener('click', () => window.location.assign('/report.pdf'));
    $('upload-link').hidden = false;
    $('upload-link').addEventListener('click', () => window.location.assign('/upload'));
    $('logout').addEventListener('click', async () => {
      try { await write('/api/logout', {}); } catch (e) { /* ended anyway */ }
      window.location.assign('/login');
    });
    $('thresholds-card').hidden = false;
    startAdvice();
    startApprovals();
    const result = $('thresholds-result');
    try {
      showThresholds((await api('/api/thresholds')).thresholds);
    } catch (e) {
      result.textContent = 'cannot read the thresholds: ' + e.message;
      result.dataset.state = 'error';
    }
    $('thresholds-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      result.textContent = 'applying...';
      delete result.dataset.state;
      try {
        const body = await write('/api/thresholds', { ramp_limit_mw: Number($('ramp-limit').value),
                                                      margin_mw: Number($('margin').value) });
        showThresholds(body.thresholds);
        result.textContent = 'applied by ' + body.by + ': ramp limit ' + body.thresholds.ramp_limit_mw +
          ' MW, margin ' + body.thresholds.margin_mw + ' MW';
        result.dataset.state = 'ok';
      } catch (e) {
        result.textContent = 'refused: ' + e.message;
        result.dataset.state = 'error';
      }
    });
  }

  function connect() {
    const status = $('status');
    const es = new EventSource('/api/stream?after=' + data.lastIndex);
    es.addEventListener('snapshot', (ev) => {
      const s = JSON.parse(ev.data);
      if (typeof s.sent_unix_ms === 'number') remember(delivery, Date.now() - s.sent_unix_ms);
      if (receivedAt === null) receivedAt = performance.now();
      merge(s);
      status.textContent = 'live';
      status.dataset.state = 'live';
      render();
    });
    es.onerror = () => {
      status.textContent = 'reconnecting';
      status.dataset.state = 'down';
      // EventSource reconnects by itself, but to the URL it was opened with: reopen so the
      // server sends only what this page has not seen.
      es.close();
      // A stream that ends with its session sends the page back to the login.
      api('/api/session').then(() => setTimeout(connect, 2000), (e) => {
        if (e.message !== 'session ended') setTimeout(connect, 2000);
      });
    };
  }

  function start() {
    let theme = 'dark';
    try { theme = localStorage.getItem('gridpilot-theme') || ''; } catch (e) { theme = ''; }
    if (!theme) theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
    wireControls();
    if (report) {
      $('mode').textContent = 'backtest report';
      $('status').textContent = 'report';
      $('status').dataset.state = 'report';
      merge(report);
    }
    setTheme(theme);
    if (!report) {
      startSession().catch(() => {});
      connect();
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
