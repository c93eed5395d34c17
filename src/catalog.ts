/**
 * What the finding and alert-rule catalogs share. Both are written keyed by name (the camelCase key that code
 * and stored data use), each entry carrying its stable published id (WBW-F01, WBW-A01): the key becomes the
 * entry's `name`, so every name and every id is written exactly once.
 */

/** Fields every catalog entry has, under the same names in both catalogs. */
export interface CatalogEntry<Id extends string, Name extends string> {
  /** Stable published identifier, cited in reports, alerts and docs; never reused for something else. */
  readonly id: Id;
  /** The key used in code and in stored data. */
  readonly name: Name;
}

/** The entries with their key as `name`, frozen. */
export function namedEntries<Name extends string, Spec extends object>(specs: Readonly<Record<Name, Spec>>): Readonly<Record<Name, Readonly<Spec & { name: Name }>>> {
  const entries = (Object.keys(specs) as Name[]).map((name) => [name, Object.freeze({ ...specs[name], name })] as const);
  return Object.freeze(Object.fromEntries(entries) as Record<Name, Readonly<Spec & { name: Name }>>);
}

/** The catalog's names in id order (WBW-F01, WBW-F02, ...), the order entries are listed in. */
export function namesInIdOrder<Name extends string>(catalog: Readonly<Record<Name, { readonly id: string }>>): readonly Name[] {
  return Object.freeze((Object.keys(catalog) as Name[]).sort((a, b) => catalog[a].id.localeCompare(catalog[b].id)));
}
