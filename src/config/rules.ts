/**
 * Picking the creation rule for a file (sops-format.md §10): the path is made relative to
 * the config file's folder (when it lies under it), and the first rule whose path_regex
 * matches anywhere in it, or that has none, wins. Pure.
 */
import type { CreationRule, SopsConfig } from './schema.js';

export function configRelativePath(configPath: string, filePath: string, sep = '/'): string {
  const configDir = configPath.slice(0, configPath.lastIndexOf(sep) + 1);
  const relative = filePath.startsWith(configDir) ? filePath.slice(configDir.length) : filePath;
  return sep === '/' ? relative : relative.split(sep).join('/');
}

export function ruleFor(config: SopsConfig, filePath: string, sep = '/'): CreationRule | null {
  const relative = configRelativePath(config.path, filePath, sep);
  return config.creationRules.find((rule) => rule.pathRegex === null || rule.pathRegex.regex.test(relative)) ?? null;
}
