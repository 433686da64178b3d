// The console's upload page: a CSV or JSON file is posted to /api/upload (the session's
// CSRF token, same origin), scored by the forecast service, then charted with uPlot:
// the readings as a line, the anomalies as red points with their causes as tooltips, a
// table of the anomalies, and a CSV download with `gridpilot detect`'s columns.
// For tests and anyone reading the DOM, #chart-upload carries data-red-points: a JSON
// array of {t, kind, cause, x, y}, the red points as drawn, x and y in canvas pixels.
'use strict';
(() => {
  const MAX_BYTES = 4000000;  // the console's and the forecast service's limit
  const $ = (id) => document.getElementById(id);
  const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  let session = null;
  let result = null;
  let plot = null;

  const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

  function showError(message) {
    const r = $('upload-result');
    r.textContent = message;
    r.dataset.state = 'error';
  }

  async function startSession() {
    const r = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
    if (r.status === 401) { window.location.assign('/login'); return; }
    session = await r.json();
    $('session').textContent = 'logged in: ' + session.role;
  }

  function csvField(v) {
    return v === null || v === undefined ? '' : String(v);
  }

  function resultCsv(r) {
    const lines = ['timestamp_utc,value,score,is_anomaly,kind,cause'];
    for (let i = 0; i < r.t.length; i++) {
      lines.push([iso(r.t[i]), csvField(r.value[i]),
                  r.score[i] === null ? '' : r.score[i].toFixed(6),
                  r.kind[i] ? 1 : 0, r.kind[i], r.cause[i].replace(/,/g, ';')].join(','));
    }
    return lines.join('\n') + '\n';
  }

  function fillTable(r) {
    const body = $('upload-anomalies').tBodies[0];
    body.textContent = '';
    for (let i = 0; i < r.t.length; i++) {
      if (!r.kind[i]) continue;
      const tr = document.createElement('tr');
      tr.className = 'anomaly';
      tr.title = r.cause[i];
      tr.dataset.kind = r.kind[i];
      const cells = [iso(r.t[i]), csvField(r.value[i]),
                     r.score[i] === null ? '' : r.score[i].toFixed(3), r.kind[i], r.cause[i]];
      cells.forEach((c, j) => {
        const td = document.createElement('td');
        td.textContent = c;
        if (j === 1 || j === 2) td.className = 'num';
        if (j === 4) td.className = 'cause';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }

  function draw(r) {
    const host = $('chart-upload');
    const tip = $('upload-tip');
    if (plot) { plot.destroy(); plot = null; }
    const red = r.value.map((v, i) => (r.kind[i] && v !== null ? v : null));
    const opts = {
      width: Math.max(300, host.clientWidth),
      height: 320,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      series: [
        {},
        { label: r.source, stroke: cssVar('--line'), width: 1.25, spanGaps: false,
          points: { show: false } },
        { label: 'anomaly', stroke: cssVar('--anomaly'), width: 0, paths: () => null,
          points: { show: true, size: 9, width: 1, stroke: cssVar('--anomaly'), fill: cssVar('--anomaly') } },
      ],
      axes: [{ stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid') } },
             { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid') } }],
      hooks: {
        draw: [(u) => {
          const points = [];
          const [lo, hi] = [u.scales.x.min, u.scales.x.max];
          for (let i = 0; i < r.t.length; i++) {
            if (red[i] === null || r.t[i] < lo || r.t[i] > hi) continue;
            points.push({ t: r.t[i], kind: r.kind[i], cause: r.cause[i],
                          x: Math.round(u.valToPos(r.t[i], 'x', true)),
                          y: Math.round(u.valToPos(red[i], 'y', true)) });
          }
          host.dataset.redPoints = JSON.stringify(points);
        }],
        setCursor: [(u) => {
          // The flagged reading nearest the cursor, within 3 rows (points are small).
          const at = u.cursor.idx;
          let i = null;
          for (let d = 0; at !== null && at !== undefined && d <= 3 && i === null; d++) {
            for (const j of [at - d, at + d]) if (j >= 0 && j < r.t.length && r.kind[j] && i === null) i = j;
          }
          if (i === null) { tip.hidden = true; return; }
          tip.textContent = iso(r.t[i]) + ' ' + r.kind[i] + ': ' + r.cause[i];
          tip.dataset.index = String(i);
          tip.hidden = false;
          tip.style.left = (u.over.offsetLeft + u.cursor.left + 12) + 'px';
          tip.style.top = (u.over.offsetTop + Math.max(0, u.cursor.top - 30)) + 'px';
        }],
      },
    };
    plot = new uPlot(opts, [r.t, r.value, red], host);
    host.appendChild(tip);
  }

  async function score(ev) {
    ev.preventDefault();
    const file = $('file').files[0];
    const out = $('upload-result');
    delete out.dataset.state;
    if (!file) return showError('choose a CSV or JSON file first');
    if (file.size > MAX_BYTES) {
      return showError(file.name + ': ' + file.size + ' bytes, over the limit of ' + MAX_BYTES);
    }
    const format = /\.json$/i.test(file.name) || file.type === 'application/json' ? 'json' : 'csv';
    const params = new URLSearchParams({ format, name: file.name });
    if ($('column').value.trim()) params.set('column', $('column').value.trim());
    out.textContent = 'scoring ' + file.name + '...';
    let body = {};
    let r;
    try {
      r = await fetch('/api/upload?' + params.toString(), {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': format === 'json' ? 'application/json' : 'text/csv',
                   'X-CSRF-Token': session.csrf_token },
        body: await file.text(),
      });
      try { body = await r.json(); } catch (e) { body = {}; }
    } catch (e) {
      return showError('cannot reach the console: ' + e.message);
    }
    if (r.status === 401) { window.location.assign('/login'); return; }
    if (!r.ok) {
      $('upload-chart-card').hidden = true;
      $('upload-anomalies-card').hidden = true;
      return showError(body.error || ('HTTP ' + r.status));
    }
    result = body;
    out.textContent = body.source + ': ' + body.rows + ' rows, step ' + body.step_s + ' s, ' +
        body.flagged + ' flagged (score threshold ' + body.threshold.toFixed(3) + ')';
    out.dataset.state = 'ok';
    $('upload-title').textContent = body.source;
    $('upload-chart-card').hidden = false;
    $('upload-anomalies-card').hidden = body.flagged === 0;
    fillTable(body);
    draw(body);
  }

  $('upload-csv').addEventListener('click', () => {
    if (!result) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([resultCsv(result)], { type: 'text/csv' }));
    a.download = result.source.replace(/\.[^.]*$/, '') + '-scored.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  $('upload-form').addEventListener('submit', score);
  startSession();
})();
