// The whole pipeline from a typed declaration object: validated, planned, rendered into the
// environment's stacks (with a backend of the app's own) and its GitOps files, and checked by
// the rule pack.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, GcsBackend } from 'cdktf';
import { PolicyReport, buildApp, validateDeclaration, type Declaration } from 'secret-wiring';

const declaration: Declaration = {
  environments: {
    production: {
      gcp: { project: 'acme-shop-prod', projectNumber: '123456789012', clusters: [{ name: 'gke-prod', location: 'asia-northeast1' }] },
    },
  },
  services: {
    checkout: { platform: 'gcp', secrets: { 'checkout-secrets': { STRIPE_KEY: {}, DB_PASSWORD: {} } } },
    orders: { platform: 'gcp', secrets: { 'orders-secrets': { DB_PASSWORD: {}, STRIPE_KEY: { from: 'checkout/checkout-secrets/STRIPE_KEY' } } } },
  },
};

const model = validateDeclaration(declaration); // every problem at once, or the model
const app = new App();
const policy = new PolicyReport();
const environments = buildApp(app, model, {
  policy,
  backend: (stack, name) => new GcsBackend(stack, { bucket: 'acme-terraform-state', prefix: `secrets/${name}` }),
});
app.synth();
if (policy.errors.length > 0) throw new Error(policy.errors.map((f) => `${f.rule} ${f.resource}: ${f.message}`).join('\n'));

// The GitOps files, wherever the app keeps them.
for (const env of environments) {
  for (const [path, content] of Object.entries(env.gitops?.() ?? {})) {
    const file = join(app.outdir, 'gitops', env.environment, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}
