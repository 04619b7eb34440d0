/**
 * How sops is told to lay out what it writes (`.sops.yaml` `stores:`, sops config.go
 * StoresConfig): read by config/, used by the formats. Unset fields keep the defaults: YAML
 * indented by 4 in sops files (2 in plaintext envseal writes), JSON by a tab.
 */
export interface StoreOptions {
  /** `stores.yaml.indent`: spaces per level, at least 1. */
  readonly yamlIndent?: number;
  /** `stores.json.indent`: spaces per level; 0 keeps the line breaks without indentation. */
  readonly jsonIndent?: number;
}
