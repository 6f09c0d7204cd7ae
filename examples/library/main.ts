// A stack of one team's own, using the constructs without a declaration file.
// DOCS_BLOCK_START
import { App, TerraformStack } from 'cdktf';
import { SecretManagerSecrets, workloadIdentityPrincipal } from '../../lib';

const app = new App();
const stack = new TerraformStack(app, 'billing');
const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project' });
secrets.addSecret({ secretId: 'billing_DB_PASSWORD', labels: { service: 'billing' } });
secrets.grantRead('billing_DB_PASSWORD', workloadIdentityPrincipal('1234567890', 'my-project', 'billing', 'billing-secrets'));
// DOCS_BLOCK_END

export { app, stack };
