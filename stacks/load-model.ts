import { DeclarationError } from '../lib/declaration/problem';
import { loadDeclarationFile } from '../lib/declaration/load';
import type { Model } from '../lib/declaration/model';
import { unknownSuppressions } from '../lib/policy/suppressions';

/** Reads and validates the declaration, suppressions included. */
export function loadModel(file: string): Model {
  const model = loadDeclarationFile(file);
  const unknown = unknownSuppressions(model);
  if (unknown.length > 0) throw new DeclarationError(unknown, file);
  return model;
}
