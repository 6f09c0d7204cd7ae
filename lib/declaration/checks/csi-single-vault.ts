import { findKey, type Model } from '../model';
import type { AddProblem } from './add-problem';

/**
 * With delivery csi and a vault per service, a Kubernetes Secret is synced from one
 * SecretProviderClass, which reads one vault: its keys must all come from one owner's vault (keys
 * read with from another service's secrets go into a Kubernetes Secret of their own).
 */
export function checkCsiSingleVault(model: Model, add: AddProblem): void {
  for (const env of model.environments) {
    const a = env.azure;
    if (!a || a.delivery !== 'csi' || a.layout !== 'vaultPerService') continue;
    for (const svc of model.services) {
      if (svc.platform !== 'azure' || !svc.environments.includes(env.name)) continue;
      for (const sec of svc.secrets) {
        const here = sec.keys.filter((k) => k.environments.includes(env.name));
        const ownerOf = (k: (typeof here)[number]) => (k.source.kind === 'own' ? svc.name : k.source.service);
        // Only resolvable from: one naming nothing is reported where it is declared.
        const known = here.filter((k) => k.source.kind === 'own' || findKey(model, k.source.service, k.source.secret, k.source.key) !== undefined);
        const owners = [...new Set(known.map(ownerOf))].sort();
        if (owners.length < 2) continue;
        const first = owners.includes(svc.name) ? svc.name : owners[0];
        for (const k of known) {
          const owner = ownerOf(k);
          if (owner === first) continue;
          add(
            k.source.kind === 'from' ? [...k.path, 'from'] : k.path,
            k.source.kind === 'from' ? `${k.source.service}/${k.source.secret}/${k.source.key}` : k.key,
            `with delivery csi and layout vaultPerService, Kubernetes Secret ${sec.name} would mix ${first}'s vault and ${owner}'s vault in environment ${env.name}, and a SecretProviderClass reads one vault: move the keys read from ${owner} into a Kubernetes Secret of their own`,
          );
        }
      }
    }
  }
}
