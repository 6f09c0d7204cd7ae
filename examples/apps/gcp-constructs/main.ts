// A stack of one team's own on Google Cloud, from the constructs alone: one secret, read by one
// Kubernetes service account through GKE Workload Identity, checked by the rule pack.
// DOCS_BLOCK_START
import { App, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { SecretManagerSecrets, applyPolicy, workloadIdentityReader } from 'secret-wiring';

const app = new App();
const stack = new TerraformStack(app, 'billing-gcp');
new GoogleProvider(stack, 'google', { project: 'acme-billing-prod' });

const secrets = new SecretManagerSecrets(stack, 'Secrets', {
  project: 'acme-billing-prod',
  labels: { 'managed-by': 'secret-wiring', service: 'billing', environment: 'production' },
});
const db = secrets.addSecret({ secretId: 'billing_DB_PASSWORD' });
db.grantRead(workloadIdentityReader('123456789012', 'acme-billing-prod', 'billing', 'billing-secrets'));

applyPolicy(stack); // the rule pack: errors fail app.synth(), naming the construct
app.synth();
// DOCS_BLOCK_END
