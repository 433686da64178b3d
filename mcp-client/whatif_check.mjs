// Drives gridpilot-mcp's what-if backtest and its audit trail with the official MCP
// TypeScript SDK client over Streamable HTTP, and exits non-zero on the first check that
// fails. Run by tests/integration/mcp_whatif_test.py:
//   node whatif_check.mjs --url URL --credentials DIR --scratch DIR --from DAY --to DAY
//        --long_from DAY --long_to DAY
// Prints one JSON line at the end: {"session": ..., "proposal_id": ...}.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 ? pairs : [...pairs, [all[i].replace(/^--/, ''), all[i + 1]]]), []));
const token = (role) => readFileSync(`${args.credentials}/${role}.token`, 'utf8').trim();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(role) {
  const transport = new StreamableHTTPClientTransport(new URL(args.url), {
    requestInit: { headers: { Authorization: `Bearer ${token(role)}` } },
  });
  const client = new Client({ name: 'gridpilot-whatif-check', version: '1.0' });
  await client.connect(transport);
  return { client, transport };
}

// Processes whose command line names the what-if scratch dir (the children's run dirs).
function whatifProcesses() {
  const found = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let cmdline = '';
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (cmdline.includes(args.scratch)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ').slice(0, 160)}`);
  }
  return found;
}

const scratchEntries = () => { try { return readdirSync(args.scratch); } catch { return []; } };
const long = { timeout: 600000, resetTimeoutOnProgress: true };

const { client, transport } = await connect('ai-agent');
const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor);
const whatifTool = tools.find((t) => t.name === 'whatif_backtest');
assert.ok(whatifTool, 'whatif_backtest listed');
assert.equal(whatifTool.annotations.readOnlyHint, true);
assert.equal(whatifTool.annotations.openWorldHint, false);

// 1. A short what-if: progress notifications, both runs and their difference.
const progress = [];
const result = await client.callTool(
  { name: 'whatif_backtest', arguments: { from: args.from, to: args.to, overrides: { ramp_limit_mw: 8, battery_max_power_mw: 20 } } },
  undefined, { ...long, onprogress: (p) => progress.push(p) });
assert.equal(result.isError, false, JSON.stringify(result.content));
const report = result.structuredContent;
assert.ok(progress.length >= 4, `progress notifications: ${JSON.stringify(progress)}`);
assert.ok(progress.some((p) => /^baseline: /.test(p.message)), 'baseline progress');
assert.ok(progress.some((p) => /^whatif: /.test(p.message)), 'what-if progress');
for (let i = 1; i < progress.length; ++i) assert.ok(progress[i].progress >= progress[i - 1].progress, 'progress increases');
assert.equal(report.baseline.ticks, 96);
assert.equal(report.whatif.ticks, 96);
assert.deepEqual(report.overrides, { ramp_limit_mw: 8, battery_max_power_mw: 20 });
for (const cause of Object.keys(report.baseline.ledger_gbp)) {
  assert.ok(Math.abs(report.difference.ledger_gbp[cause] - (report.whatif.ledger_gbp[cause] - report.baseline.ledger_gbp[cause])) < 1e-6, cause);
}
// A tighter limit and a smaller battery change what happened.
assert.notDeepEqual(report.baseline.ledger_gbp, report.whatif.ledger_gbp);
assert.deepEqual(scratchEntries(), [], 'the what-if run dirs are removed');

// 2. Beyond the maximum window: refused at once, nothing started.
const tooLong = await client.callTool({ name: 'whatif_backtest', arguments: { from: '2022-11-01', to: '2023-01-15', overrides: { ramp_limit_mw: 8 } } });
assert.equal(tooLong.isError, true);
assert.match(tooLong.content[0].text, /^OUT_OF_RANGE: the window is 76 days; what-ifs are limited to \d+/);
// A window the stack has not replayed yet: no look-ahead.
const future = await client.callTool({ name: 'whatif_backtest', arguments: { from: '2023-06-01', to: '2023-06-02', overrides: { ramp_limit_mw: 8 } } });
assert.equal(future.isError, true);
assert.match(future.content[0].text, /^OUT_OF_RANGE: the window must end before the stack's current day/);
// A viewer may not spend the CPU.
const viewer = await connect('viewer');
const refused = await viewer.client.callTool({ name: 'whatif_backtest', arguments: { from: args.from, to: args.to, overrides: { ramp_limit_mw: 8 } } });
assert.equal(refused.isError, true);
assert.match(refused.content[0].text, /^PERMISSION_DENIED: role "viewer"/);
await viewer.client.close();

// 3. Cancelled while its baseline runs: the children are stopped and their run dirs removed.
const controller = new AbortController();
let sawTicks = false;
const cancelled = client.callTool(
  { name: 'whatif_backtest', arguments: { from: args.long_from, to: args.long_to, overrides: { ramp_limit_mw: 8 } } },
  undefined, {
    ...long, signal: controller.signal,
    onprogress: (p) => { if (/ticks/.test(p.message) && !sawTicks) { sawTicks = true; controller.abort('changed my mind'); } },
  });
await assert.rejects(cancelled);
assert.ok(sawTicks, 'the cancelled what-if had started ticking');
const cancelledAt = Date.now();
let left = whatifProcesses();
for (let i = 0; i < 300 && (left.length > 0 || scratchEntries().length > 0); ++i) {
  await sleep(100);
  left = whatifProcesses();
}
assert.deepEqual(left, [], 'no what-if process left');
const cleanupMs = Date.now() - cancelledAt;
assert.deepEqual(scratchEntries(), [], 'no what-if run dir left');
// The slot is free again: another what-if is accepted (refused for its window, not busy).
const after = await client.callTool({ name: 'whatif_backtest', arguments: { from: '2022-11-01', to: '2023-01-15', overrides: { ramp_limit_mw: 8 } } });
assert.match(after.content[0].text, /^OUT_OF_RANGE/);

// 4. An acting call, to be found in the audit log with this session.
const state = await client.callTool({ name: 'get_grid_state', arguments: {} });
const battery = state.structuredContent.assets.assets.find((a) => a.battery);
const now = new Date(state.structuredContent.clock.now);
const start = new Date(Math.ceil(now.getTime() / 300000) * 300000 + 300000);
const submitted = await client.callTool({
  name: 'submit_dispatch',
  arguments: {
    asset_id: battery.id, power_mw: 1, priority: 'DISPATCH_PRIORITY_TRADING',
    start: start.toISOString(), end: new Date(start.getTime() + 1800000).toISOString(),
    idempotency_key: `whatif-check-${randomUUID()}`, reason: 'audit trail check',
  },
});
assert.equal(submitted.isError, false, JSON.stringify(submitted.content));
console.log(JSON.stringify({ whatif_wall_seconds: report.wall_seconds, progress_notifications: progress.length, cancel_cleanup_ms: cleanupMs, session: transport.sessionId, proposal_id: String(submitted.structuredContent.results[0].proposal_id) }));
await client.close();
process.exit(0);
