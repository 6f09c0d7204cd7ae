import type { Declaration } from '../schema';
import type { EnvironmentModel } from '../model';
import type { AddProblem } from './add-problem';

/**
 * The vault layout of an Azure environment agrees with the rest of its section: a single vault is
 * named (environmentVault), per-service vaults are not (vaultPerService, whose names are derived),
 * and the AKS add-on identity, one per cluster for every service, reads from a single vault.
 */
export function checkKeyVaultLayout(decl: Declaration, env: EnvironmentModel, add: AddProblem): void {
  const a = env.azure;
  if (!a) return;
  const at = ['environments', env.name, 'azure'];
  const kv = decl.environments[env.name].azure!.keyVault;
  if (a.layout === 'environmentVault') {
    if (kv?.name === undefined) add([...at, 'keyVault'], kv ?? null, 'layout environmentVault needs keyVault.name, the environment\'s single vault');
  } else {
    if (kv?.name !== undefined) {
      add([...at, 'keyVault', 'name'], kv.name, 'layout vaultPerService gives each service a vault with a derived name (<service>-<6 hex>); remove name, or set layout: environmentVault to keep one vault for the environment');
    }
    if (kv?.uniqueSuffix !== undefined) add([...at, 'keyVault', 'uniqueSuffix'], kv.uniqueSuffix, 'uniqueSuffix applies to layout environmentVault; vaultPerService names are unique by rule');
    if (a.identity === 'aksAddonIdentity') {
      add([...at, 'identity'], a.identity, "aksAddonIdentity is one identity per cluster for every service, so it would read every service's vault: use layout environmentVault (with keyVault.name), or workloadIdentity to keep a vault per service");
    }
  }
}
