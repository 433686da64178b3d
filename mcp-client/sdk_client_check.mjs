// Drives a running gridpilot stack's MCP server with the official MCP TypeScript SDK
// client, over Streamable HTTP and over stdio, and exits non-zero on the first check that
// fails. Run by tests/integration/mcp_server_test.py:
//   node sdk_client_check.mjs --url URL --credentials DIR --gridpilot BIN --run_dir DIR
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 ? pairs : [...pairs, [all[i].replace(/^--/, ''), all[i + 1]]]), []));
const token = (role) => readFileSync(`${args.credentials}/${role}.token`, 'utf8').trim();

function httpClient(role) {
  const transport = new StreamableHTTPClientTransport(new URL(args.url), {
    requestInit: { headers: { Authorization: `Bearer ${token(role)}` } },
  });
  return { client: new Client({ name: 'gridpilot-sdk-check', version: '1.0' }), transport };
}

function stdioClient(role) {
  const transport = new StdioClientTransport({
    command: args.gridpilot,
    args: ['mcp', '--stdio', '--run_dir', args.run_dir, '--role', role],
    stderr: 'ignore',
  });
  return { client: new Client({ name: 'gridpilot-sdk-check', version: '1.0' }), transport };
}

async function listAll(list, key) {
  const items = [];
  let cursor;
  do {
    const page = await list(cursor ? { cursor } : {});
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function check(name, connect) {
  const { client, transport } = connect('operator');
  const updates = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri));
  await client.connect(transport);
  assert.equal(client.getServerVersion().name, 'gridpilot-mcp');
  await client.ping();
  await client.setLoggingLevel('warning');

  const tools = await listAll((p) => client.listTools(p), 'tools');
  const names = tools.map((t) => t.name);
  for (const expected of ['get_grid_state', 'get_net_load_forecast', 'explain_forecast',
    'list_decisions', 'submit_dispatch', 'cancel_dispatch', 'set_thresholds', 'reload_models']) {
    assert.ok(names.includes(expected), `${name}: tool ${expected} listed`);
  }
  const submitTool = tools.find((t) => t.name === 'submit_dispatch');
  assert.equal(submitTool.annotations.readOnlyHint, false);
  const resources = await listAll((p) => client.listResources(p), 'resources');
  assert.ok(resources.some((r) => r.uri === 'gridpilot://state/live'));
  const prompts = await listAll((p) => client.listPrompts(p), 'prompts');
  assert.ok(prompts.some((p) => p.name === 'should_we_dispatch_now'));
  const prompt = await client.getPrompt({ name: 'explain_last_ramp', arguments: {} });
  assert.match(prompt.messages[0].content.text, /list_ramp_events/);

  // Read state (the SDK validates structuredContent against the tool's outputSchema).
  const state = await client.callTool({ name: 'get_grid_state', arguments: {} });
  assert.equal(state.isError, false, JSON.stringify(state.content));
  const battery = state.structuredContent.assets.assets.find((a) => a.battery);
  assert.ok(battery, `${name}: a battery in the grid state`);
  const now = new Date(state.structuredContent.clock.now);
  const glossary = await client.readResource({ uri: 'gridpilot://region/glossary' });
  assert.match(glossary.contents[0].text, /discharges to the grid/);

  const key = `sdk-${name}-${randomUUID()}`;
  const start = new Date(Math.ceil(now.getTime() / 300000) * 300000 + 300000);
  const end = new Date(start.getTime() + 3600000);
  // Simulate first: what the arbiter would apply, with and without it; nothing stored.
  const simulated = await client.callTool({
    name: 'simulate_dispatch',
    arguments: {
      asset_id: battery.id, power_mw: 2.5, priority: 'DISPATCH_PRIORITY_RESILIENCE',
      start: start.toISOString(), end: end.toISOString(),
    },
  });
  assert.equal(simulated.isError, false, JSON.stringify(simulated.content));
  const steps = simulated.structuredContent.simulation.steps;
  assert.ok(steps.length >= 1, `${name}: simulated steps`);
  assert.equal(steps.length, simulated.structuredContent.expected_net_load_mw.length);
  assert.ok(steps.some((s) => String(s.proposal_id) === '-1' && Math.abs(s.requested_mw - 2.5) < 1e-9),
    `${name}: the simulated proposal governs a step: ${JSON.stringify(steps)}`);

  // Submit within limits as the operator: the gateway stores and applies it.
  const submitted = await client.callTool({
    name: 'submit_dispatch',
    arguments: {
      asset_id: battery.id, power_mw: 2.5, priority: 'DISPATCH_PRIORITY_RESILIENCE',
      start: start.toISOString(), end: end.toISOString(), idempotency_key: key,
      reason: `sdk check over ${name}`,
    },
  });
  assert.equal(submitted.isError, false, JSON.stringify(submitted.content));
  const proposalId = String(submitted.structuredContent.results[0].proposal_id);
  let decision;
  for (let i = 0; i < 200 && !decision; ++i) {
    const log = await client.callTool({ name: 'list_decisions', arguments: { limit: 200, agent: 'operator' } });
    decision = log.structuredContent.decisions.find((d) => String(d.proposal_id) === proposalId);
    if (!decision) await sleep(100);
  }
  assert.ok(decision, `${name}: proposal ${proposalId} applied and in the audit log`);
  assert.match(decision.reason + decision.agent, /operator/);
  const replay = await client.callTool({
    name: 'submit_dispatch',
    arguments: {
      asset_id: battery.id, power_mw: 2.5, priority: 'DISPATCH_PRIORITY_RESILIENCE',
      start: start.toISOString(), end: end.toISOString(), idempotency_key: key, reason: 'retry',
    },
  });
  assert.equal(String(replay.structuredContent.results[0].proposal_id), proposalId);

  // Bad arguments are a JSON-RPC error, not a call to the stack.
  await assert.rejects(client.callTool({ name: 'submit_dispatch', arguments: { power_mw: 'lots' } }),
    /-32602/);

  // A subscription: an update per tick.
  await client.subscribeResource({ uri: 'gridpilot://state/live' });
  for (let i = 0; i < 300 && updates.length < 2; ++i) await sleep(100);
  assert.ok(updates.length >= 2, `${name}: ${updates.length} resource updates`);
  const live = await client.readResource({ uri: 'gridpilot://state/live' });
  assert.ok(JSON.parse(live.contents[0].text).tick, `${name}: live state has a tick`);
  await client.unsubscribeResource({ uri: 'gridpilot://state/live' });
  await client.close();

  // A refused call: a viewer may not dispatch; the gateway's PERMISSION_DENIED comes back.
  const viewer = connect('viewer');
  await viewer.client.connect(viewer.transport);
  const refused = await viewer.client.callTool({
    name: 'submit_dispatch',
    arguments: {
      asset_id: battery.id, power_mw: 1, priority: 'DISPATCH_PRIORITY_RESILIENCE',
      start: start.toISOString(), end: end.toISOString(), idempotency_key: `${key}-viewer`,
      reason: 'should be refused',
    },
  });
  assert.equal(refused.isError, true);
  assert.match(refused.content[0].text, /^PERMISSION_DENIED: .*viewer/);
  await viewer.client.close();
  console.log(`${name}: ok (proposal ${proposalId}, ${updates.length} updates, ${tools.length} tools)`);
}

await check('http', httpClient);
await check('stdio', stdioClient);
process.exit(0);
