#!/usr/bin/env node
'use strict';
/**
 * `npm run test:terraform`: real Terraform on every stack of the example and of the declarations in
 * examples/declarations/ (together every mode: GKE workload identity and Google service accounts;
 * AKS CSI by Helm, by the add-on, External Secrets and the add-on identity; adoption; sharding;
 * monitoring), through the offline `tfplan` tool (terraform init, validate, plan and show against
 * stand-in providers that serve the real providers' schemas). Then:
 *
 * - an upgrade: the example with `movedBlocks: true`, planned against a state laid out as earlier
 *   versions wrote it (for_each instances), which must move every instance and create or destroy
 *   nothing;
 * - the next plan after a first apply: the example's Azure stacks against the state it left, each
 *   Key Vault secret reading back `value_wo_version` 0 (as after an import), which must change no
 *   secret;
 * - fail closed: the moving-in Azure stack with a new secret the vault does not hold and no first
 *   value, which must fail the plan naming that secret;
 * - `npm run validate` against the same stand-ins, through a Terraform CLI configuration of the
 *   user's (a provider mirror), on a valid stack and on a broken one;
 * - the plan assertions in __tests__/terraform-plans.test.ts, on every plan.json.
 *
 * Usage: node scripts/plan-all.js [--tfplan PATH] [--work DIR] [--jobs N]
 * The tool is found at --tfplan, $TFPLAN, or ../shared/tools/tfplan/tfplan beside the project.
 * Exit codes: 0 every check passed; 1 a check failed; 2 the tool or a declaration could not be run.
 */
const { spawn, spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'bin', 'secret-wiring.js');

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fail(message, code = 2) {
  process.stderr.write(`plan-all: ${message}\n`);
  process.exit(code);
}

/** Synthesizes a declaration (its text) in a folder of its own; returns the stack folders. */
function synthesize(dir, text) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'secrets.yaml'), text);
  const r = spawnSync(process.execPath, [CLI, 'synth'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (r.status !== 0) fail(`synthesizing ${dir} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  const stacks = join(dir, 'cdktf.out', 'stacks');
  return readdirSync(stacks).filter((n) => existsSync(join(stacks, n, 'cdk.tf.json'))).map((n) => join(stacks, n));
}

/**
 * A temp folder for one tfplan process. The tool keeps a copy of itself (with its node_modules) in
 * the temp folder and replaces it on every start, so processes running side by side each need their
 * own: a copy of the first one's, made after a first run installed it.
 */
function toolTemp(work, i) {
  const dir = join(work, `tmp-${i}`);
  mkdirSync(dir, { recursive: true });
  const shared = join(process.env.TMPDIR ?? tmpdir(), 'tfplan-tool');
  if (existsSync(join(shared, 'node_modules')) && !existsSync(join(dir, 'tfplan-tool'))) cpSync(shared, join(dir, 'tfplan-tool'), { recursive: true });
  return dir;
}

/**
 * Runs tfplan on a stacks folder, over up to `jobs` processes; `fixtureOf(name)` names the
 * data-source fixture a stack needs (stacks that need different ones never share a process).
 * Resolves with every stack's result.
 */
async function tfplan(tool, stacksDir, work, jobs, fixtureOf = () => undefined) {
  const names = readdirSync(stacksDir).sort();
  const byFixture = new Map();
  for (const n of names) {
    const f = fixtureOf(n) ?? '';
    byFixture.set(f, [...(byFixture.get(f) ?? []), n]);
  }
  const groups = [];
  for (const [fixture, members] of byFixture) {
    const parts = Math.max(1, Math.min(jobs, Math.round((jobs * members.length) / names.length)));
    for (let i = 0; i < parts; i++) groups.push({ fixture, only: members.filter((_, j) => j % parts === i) });
  }
  const results = [];
  const queue = groups.filter((g) => g.only.length > 0).map((g, i) => ({ ...g, i }));
  const worker = async () => {
    for (let g = queue.shift(); g; g = queue.shift()) results.push(...(await runGroup(tool, stacksDir, work, g)));
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return { work: join(work, 'tfplan-0'), results: results.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

function runGroup(tool, stacksDir, work, { fixture, only, i }) {
  return new Promise((done) => {
    const out = join(work, `tfplan-${i}`);
    const args = [stacksDir, '--work', out, '--only', only.join(','), ...(fixture ? ['--data-fixture', fixture] : [])];
    const env = { ...process.env, TMPDIR: toolTemp(work, i), TFPLAN_CACHE: process.env.TFPLAN_CACHE ?? join(tmpdir(), 'tfplan-schema-cache') };
    const child = spawn(tool, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', (code) => {
      process.stdout.write(`${text.split('\n').filter((l) => !/^\s+plan\.json:/.test(l)).join('\n')}\n`);
      const file = join(out, 'results.json');
      if (!existsSync(file)) fail(`tfplan exited ${code} without results:\n${text}`);
      done(JSON.parse(readFileSync(file, 'utf8')));
    });
  });
}

/**
 * A state as earlier versions left it: every block that a moved block leads to, put at the address
 * it moves from (the latest earlier layout), with the values the plan without state gave it.
 */
function previousState(stackDir, planJson) {
  const config = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  const blocks = existsSync(join(stackDir, 'instances.tf.json')) ? JSON.parse(readFileSync(join(stackDir, 'instances.tf.json'), 'utf8')) : {};
  const moved = [...(config.moved ?? []), ...(blocks.moved ?? [])];
  const fromOf = new Map(moved.map((m) => [m.to, m.from]));
  const plan = JSON.parse(readFileSync(planJson, 'utf8'));
  const providerKeys = new Map((plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, r.provider_config_key]));
  const resources = new Map();
  for (const rc of plan.resource_changes ?? []) {
    const from = fromOf.get(rc.address);
    if (!from || rc.mode !== 'managed') continue;
    const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\["(.*)"\]$/.exec(from);
    if (!m) continue;
    const [, type, name, key] = m;
    const alias = (providerKeys.get(rc.address) ?? '').split('.')[1];
    const provider = `provider["${rc.provider_name}"]${alias ? `.${alias}` : ''}`;
    const id = `${type}.${name}`;
    if (!resources.has(id)) resources.set(id, { mode: 'managed', type, name, provider, instances: [] });
    const attributes = { ...(rc.change.after ?? {}), id: `previous-${rc.address}` };
    resources.get(id).instances.push({ index_key: JSON.parse(`"${key}"`), schema_version: 0, attributes, sensitive_attributes: [] });
  }
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'secret-wiring-upgrade-check', outputs: {}, resources: [...resources.values()], check_results: null };
}

/**
 * The state a first apply of a stack leaves, with every Key Vault secret as it reads back after an
 * import (or after someone added a version out of band): `value_wo_version` 0 and a live `value`.
 * A plan against it must write no value.
 */
const STEADY_IDS = new Set(['id', 'principal_id', 'client_id', 'tenant_id', 'object_id', 'resource_id', 'resource_versionless_id', 'versionless_id', 'vault_uri', 'version', 'name', 'email', 'member', 'unique_id']);

function steadyState(planJson, stackDir) {
  const plan = JSON.parse(readFileSync(planJson, 'utf8'));
  const providerKeys = new Map((plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, r.provider_config_key]));
  // The configuration, for the references an apply would have resolved (`${type.name.attribute}`).
  const config = {};
  for (const f of readdirSync(stackDir).filter((n) => n.endsWith('.tf.json'))) {
    for (const [type, byName] of Object.entries(JSON.parse(readFileSync(join(stackDir, f), 'utf8')).resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) config[`${type}.${name}`] = body;
    }
  }
  const states = new Map();
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const attributes = { ...(rc.change.after ?? {}), id: `steady-${rc.address}` };
    // Computed attributes the apply would have set: the ids others reference get a value; the rest stay null.
    for (const [k, unknown] of Object.entries(rc.change.after_unknown ?? {})) {
      if (unknown === true && attributes[k] === undefined && STEADY_IDS.has(k)) attributes[k] = `steady-${rc.address}-${k}`;
    }
    // As the provider reads a secret back after an import: no write-only version, the live value, and
    // empty strings for the dates and content type it did not set.
    if (rc.type === 'azurerm_key_vault_secret') Object.assign(attributes, { value_wo_version: 0, value: 'a live value added out of band', value_wo: null, content_type: '', not_before_date: '', expiration_date: '' });
    states.set(rc.address, { rc, attributes });
  }
  const resolve = (v) => {
    if (typeof v === 'string') {
      const m = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(v);
      const target = m && states.get(m[1]);
      return target ? target.attributes[m[2]] : v;
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  for (const { rc, attributes } of states.values()) {
    for (const [k, unknown] of Object.entries(rc.change.after_unknown ?? {})) {
      const expr = config[rc.address]?.[k];
      if (unknown !== false && expr !== undefined) {
        const value = resolve(expr);
        if (value !== undefined && !JSON.stringify(value).includes('${')) attributes[k] = value;
      }
    }
  }
  const resources = [...states.values()].map(({ rc, attributes }) => {
    const alias = (providerKeys.get(rc.address) ?? '').split('.')[1];
    return { mode: 'managed', type: rc.type, name: rc.address.slice(rc.type.length + 1), provider: `provider["${rc.provider_name}"]${alias ? `.${alias}` : ''}`, instances: [{ schema_version: 0, attributes, sensitive_attributes: [] }] };
  });
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'secret-wiring-steady-check', outputs: {}, resources, check_results: null };
}

/** Names of every Key Vault secret a set of stacks declares, for a fixture of the vaults' contents. */
function keyVaultSecretNames(dirs) {
  const names = new Set();
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.tf.json'))) {
      const json = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      for (const b of Object.values(json.resource?.azurerm_key_vault_secret ?? {})) names.add(b.name);
    }
  }
  return [...names].sort();
}

async function main() {
  const tool = resolve(arg('tfplan') ?? process.env.TFPLAN ?? join(ROOT, '..', 'shared', 'tools', 'tfplan', 'tfplan'));
  if (!existsSync(tool)) fail(`no tfplan tool at ${tool} (pass --tfplan PATH or set TFPLAN)`);
  const work = resolve(arg('work') ?? mkdtempSync(join(tmpdir(), 'plan-all-')));
  const jobs = Number(arg('jobs') ?? 2);
  mkdirSync(work, { recursive: true });
  process.stdout.write(`plan-all: work folder ${work}\n`);

  // Every declaration, each stack under a name of its own: <declaration>--<stack>.
  const example = readFileSync(join(ROOT, 'secrets.yaml'), 'utf8');
  const declarations = [['example', example]];
  for (const f of readdirSync(join(ROOT, 'examples', 'declarations')).filter((n) => n.endsWith('.yaml')).sort()) {
    declarations.push([basename(f, '.yaml'), readFileSync(join(ROOT, 'examples', 'declarations', f), 'utf8')]);
  }
  const stacksDir = join(work, 'stacks');
  const origin = {};
  for (const [name, text] of declarations) {
    for (const dir of synthesize(join(work, 'synth', name), text)) {
      const id = `${name}--${basename(dir)}`;
      cpSync(dir, join(stacksDir, id), { recursive: true });
      origin[id] = { declaration: name, stack: basename(dir) };
    }
  }
  // Data sources answer as stand-ins do, except where a declaration needs what a real cluster or
  // vault of its kind would say: each declaration's Key Vaults hold every secret it names (as if
  // their first values had been given: the fail-closed run below checks the other case); clusters
  // serve the External Secrets v1 CRDs (moving in: installed by others); with the CSI driver
  // installed by Helm, the clusters run no AKS add-on.
  const fixtures = new Map();
  for (const [name] of declarations) {
    const dirs = readdirSync(stacksDir).filter((n) => n.startsWith(`${name}--`)).map((n) => join(stacksDir, n));
    const fixture = {
      azurerm_key_vault_secrets: { names: keyVaultSecretNames(dirs) },
      kubernetes_resource: { object: { spec: { versions: [{ name: 'v1', served: true }] } } },
      ...(name === 'aks-csi-helm' ? { azurerm_kubernetes_cluster: { key_vault_secrets_provider: [] } } : {}),
    };
    const file = join(work, `fixture-${name}.json`);
    writeFileSync(file, JSON.stringify(fixture));
    fixtures.set(name, file);
  }
  const movingInDirs = readdirSync(stacksDir).filter((n) => n.startsWith('moving-in--')).map((n) => join(stacksDir, n));
  const fixtureOf = (name) => fixtures.get(name.slice(0, name.indexOf('--')));
  // Warm the tool's copy of itself and its schema cache once, on one stack, alone.
  const warm = spawnSync(tool, [stacksDir, '--validate-only', '--work', join(work, 'warm'), '--only', readdirSync(stacksDir)[0]], { cwd: ROOT, encoding: 'utf8' });
  if (warm.status === 2) fail(`tfplan cannot run:\n${warm.stdout}${warm.stderr}`);
  const first = await tfplan(tool, stacksDir, join(work, 'plans'), jobs, fixtureOf);

  // The upgrade: the example's evaluation environment with moved blocks, against an earlier state.
  const upgradeText = example.replace(/^  evaluation:\n/m, '  evaluation:\n    movedBlocks: true\n');
  const upgradeStacks = synthesize(join(work, 'synth', 'upgrade'), upgradeText).filter((d) => basename(d).startsWith('evaluation-'));
  const upgradeDir = join(work, 'upgrade-stacks');
  for (const dir of upgradeStacks) cpSync(dir, join(upgradeDir, `upgrade--${basename(dir)}`), { recursive: true });
  // The same stacks planned without state (the example's) give the values the state holds.
  for (const dir of upgradeStacks) {
    const same = first.results.find((r) => r.name === `example--${basename(dir)}`);
    if (!same?.planJson) fail(`no plan of example--${basename(dir)} to build an earlier state from`);
    const target = join(upgradeDir, `upgrade--${basename(dir)}`);
    writeFileSync(join(target, 'terraform.tfstate'), `${JSON.stringify(previousState(target, same.planJson), null, 1)}\n`);
  }
  const upgraded = await tfplan(tool, upgradeDir, join(work, 'upgrade'), jobs);

  // The next plan after a first apply: the example's Azure stacks against the state it left, with
  // every secret's value_wo_version read back as 0 and each vault holding its secrets.
  const steadyDir = join(work, 'steady-stacks');
  const azureStacks = first.results.filter((r) => /^example--[a-z0-9-]+-azure$/.test(r.name));
  for (const r of azureStacks) {
    const target = join(steadyDir, `steady--${r.name.slice('example--'.length)}`);
    cpSync(join(stacksDir, r.name), target, { recursive: true });
    writeFileSync(join(target, 'terraform.tfstate'), `${JSON.stringify(steadyState(r.planJson, target), null, 1)}\n`);
  }
  const holding = join(work, 'fixture-vaults-hold-their-secrets.json');
  writeFileSync(holding, JSON.stringify({ azurerm_key_vault_secrets: { names: keyVaultSecretNames(azureStacks.map((r) => join(stacksDir, r.name))) } }));
  const steady = await tfplan(tool, steadyDir, join(work, 'steady'), jobs, () => holding);

  // Fail closed: the moving-in vault without the new secret, and no first value given.
  const closedDir = join(work, 'fail-closed-stacks');
  cpSync(join(stacksDir, 'moving-in--production-azure'), join(closedDir, 'fail-closed--production-azure'), { recursive: true });
  const withoutNew = join(work, 'fixture-vault-without-new-secret.json');
  writeFileSync(withoutNew, JSON.stringify({ azurerm_key_vault_secrets: { names: keyVaultSecretNames(movingInDirs).filter((n) => n !== 'demo-secret03') } }));
  const closed = await tfplan(tool, closedDir, join(work, 'fail-closed'), 1, () => withoutNew);

  const summary = {
    work,
    tfplanWork: first.work,
    plans: first.results.map((r) => ({ ...origin[r.name], name: r.name, status: r.status, step: r.step, diags: r.diags, planJson: r.planJson, dir: join(stacksDir, r.name) })),
    upgrade: upgraded.results.map((r) => ({ name: r.name, status: r.status, step: r.step, diags: r.diags, planJson: r.planJson, dir: join(upgradeDir, r.name) })),
    steady: steady.results.map((r) => ({ name: r.name, status: r.status, step: r.step, diags: r.diags, planJson: r.planJson, dir: join(steadyDir, r.name) })),
    failClosed: closed.results.map((r) => ({ name: r.name, status: r.status, step: r.step, diags: r.diags, planJson: r.planJson, dir: join(closedDir, r.name) })),
    validate: { stacks: join(work, 'synth', 'example', 'cdktf.out'), tfplanWork: first.work },
  };
  writeFileSync(join(work, 'plans.json'), `${JSON.stringify(summary, null, 1)}\n`);
  // The fail-closed run must fail: its result is judged by the assertions.
  const failed = [...summary.plans, ...summary.upgrade, ...summary.steady].filter((r) => r.status !== 'PASS');
  for (const r of failed) process.stderr.write(`plan-all: ${r.name} FAILED at ${r.step}\n`);

  // The assertions over every plan, and npm run validate against the stand-ins.
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest', { paths: [ROOT] }), '--runTestsByPath', join(ROOT, '__tests__', 'terraform-plans.test.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, SECRET_WIRING_PLANS: join(work, 'plans.json') },
  });
  process.exit(failed.length > 0 || jest.status !== 0 ? 1 : 0);
}

if (require.main === module) main().catch((e) => fail(e.stack ?? String(e)));
module.exports = { steadyState, previousState, keyVaultSecretNames };
