// The product's constructs beside resources of the team's own in one stack: a Google service
// account of its own reads a secret, a Pub/Sub topic of its own stays outside the rule pack's
// concerns, and a rule is excused on one construct with its reason.
import { App, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { SecretManagerSecrets, applyPolicy, suppressPolicy } from 'secret-wiring';

const app = new App();
const stack = new TerraformStack(app, 'reports');
new GoogleProvider(stack, 'google', { project: 'acme-reports-prod' });

const runner = new ServiceAccount(stack, 'Runner', { accountId: 'reports-runner', project: 'acme-reports-prod' });
new PubsubTopic(stack, 'Done', { name: 'reports-done', project: 'acme-reports-prod' });

const labels = { 'managed-by': 'secret-wiring', service: 'reports', environment: 'production' };
const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'acme-reports-prod', labels });
const token = secrets.addSecret({ secretId: 'reports_API_TOKEN' });
// The account's email is known only at apply: the reader's key names the grant.
token.grantRead({ readerKey: 'reports-runner', member: `serviceAccount:${runner.email}` });

// A scratch secret the team deletes and recreates in tests, without deletion protection.
const scratch = new SecretManagerSecrets(stack, 'Scratch', { project: 'acme-reports-prod', labels, deletionProtection: false, resourceName: 'scratch' });
scratch.addSecret({ secretId: 'reports_SCRATCH' });
suppressPolicy(scratch, 'SW-DEL-001', 'recreated by the integration tests every night');

applyPolicy(stack);
app.synth();
