/**
 * Who can be given read access to Key Vault secrets: a principal with a key known at plan time.
 *
 * A grant's Terraform name is made from its key; a principal's object id is often known only at
 * apply (`${azurerm_user_assigned_identity.x.principal_id}`, a cdktf token), so the key comes from
 * the reader, never from the id. `WorkloadIdentities.identity(key)` returns one; any object with
 * these two fields is one too (a managed identity of the user's own, say).
 */
export interface IKeyVaultReader {
  /** Stable key of the reader (a service name), part of its grants' Terraform names. */
  readonly readerKey: string;
  /** Object id of the principal, or a Terraform expression (or cdktf token) giving it. */
  readonly principalId: string;
}
