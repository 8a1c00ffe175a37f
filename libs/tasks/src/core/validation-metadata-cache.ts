import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;
type Target = Parameters<Storage['getTargetValidationMetadatas']>[0];

let installed = false;

/**
 * class-validator works out a class's rules again on every validation: it scans every class it knows for the
 * parents of the one validated (an `instanceof` each) and regroups the rules by property. That was a few % of
 * the API's CPU per request. Rules are declared by decorators as classes are defined, so both answers are kept
 * per class; a rule added later (a class defined after the first validations) drops what was kept. Idempotent.
 */
export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let rules = new Map<Target, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, ReturnType<Storage['groupByPropertyName']>>();

  storage.addValidationMetadata = (metadata) => {
    rules = new Map();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    let byOptions = rules.get(target);
    if (!byOptions) rules.set(target, (byOptions = new Map<string, Rules>()));
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}
