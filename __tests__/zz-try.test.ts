import { loadCrd, helmValuesErrors, validateExternalSecretsObject, SECRET_STORE_CRD, EXTERNAL_SECRET_CRD } from './support/schemas';
it('x', () => {
  let t = Date.now();
  const a = loadCrd(SECRET_STORE_CRD); console.log('ss', Date.now() - t, a.apiVersion, a.celRules); t = Date.now();
  const b = loadCrd(EXTERNAL_SECRET_CRD); console.log('es', Date.now() - t, b.apiVersion, b.celRules); t = Date.now();
  console.log(helmValuesErrors({ livenessProbe: { enabeld: true }, replicaCount: 'two' }), Date.now() - t);
  console.log(validateExternalSecretsObject({ apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', metadata: { name: 'x' }, spec: { provider: { gcpsm: { projectId: 'p', auth: { workloadIdentity: { serviceAccountRef: { name: 5 } } } } }, refreshInterval: 1.5 } }));
});
