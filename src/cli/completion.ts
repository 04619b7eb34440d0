/**
 * Shell completion scripts (`envseal completion bash|zsh|fish`), made from the command
 * definitions, so they list exactly the commands and options the parser accepts. Static: no
 * Node start per Tab press. File arguments complete as files.
 */
import { commandName, type AnyCommandDef } from './commands/define.js';

interface Entry {
  /** `team add`: the words that name the command. */
  readonly words: string[];
  readonly options: string[];
}

function entries(commands: readonly AnyCommandDef[]): Entry[] {
  const out: Entry[] = [];
  const visit = (def: AnyCommandDef, prefix: string[]): void => {
    if (def.describe === false) return;
    const words = [...prefix, commandName(def)];
    const options = Object.entries(def.options ?? {}).flatMap(([name, o]) => [`--${name}`, ...(typeof o.alias === 'string' && o.alias.length === 1 ? [`-${o.alias}`] : [])]);
    out.push({ words, options: [...options, '--config', '--help'] });
    for (const sub of def.subcommands ?? []) visit(sub, words);
  };
  for (const def of commands) visit(def, []);
  return out;
}

export function completionScript(shell: 'bash' | 'zsh' | 'fish', commands: readonly AnyCommandDef[]): string {
  const list = entries(commands);
  const top = list.filter((e) => e.words.length === 1).map((e) => e.words[0] as string);
  if (shell === 'fish') return fish(list, top);
  const children = (e: Entry): string[] => list.filter((s) => s.words.length === e.words.length + 1 && s.words[0] === e.words[0]).map((s) => s.words.at(-1) as string);
  const cases = list
    .filter((e) => e.words.length === 1)
    .map((e) => {
      const subs = children(e);
      if (subs.length === 0) return `    ${e.words[0]}) words="${e.options.join(' ')}" ;;`;
      const inner = list
        .filter((s) => s.words.length === 2 && s.words[0] === e.words[0])
        .map((s) => `        ${s.words[1]}) words="${s.options.join(' ')}" ;;`)
        .join('\n');
      return `    ${e.words[0]})\n      if [[ $COMP_CWORD -le 2 ]]; then words="${subs.join(' ')}"; else\n      case "$sub" in\n${inner}\n      esac; fi ;;`;
    })
    .join('\n');
  const body = `_envseal_complete() {
  local cur cmd sub words=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd="\${COMP_WORDS[1]}"
  sub="\${COMP_WORDS[2]}"
  if [[ $COMP_CWORD -le 1 ]]; then
    words="${top.join(' ')} --help --version"
  else
    case "$cmd" in
${cases}
    esac
  fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  if [[ "$cur" != -* && $COMP_CWORD -gt 1 ]]; then COMPREPLY+=( $(compgen -f -- "$cur") ); fi
}`;
  if (shell === 'bash') return `# envseal completion for bash: source it from ~/.bashrc:  source <(envseal completion bash)\n${body}\ncomplete -o default -F _envseal_complete envseal\n`;
  return `#compdef envseal\n# envseal completion for zsh: source <(envseal completion zsh)  (or put it in your $fpath as _envseal)\nautoload -U +X bashcompinit && bashcompinit\n${body}\ncomplete -o default -F _envseal_complete envseal\n`;
}

function fish(list: readonly Entry[], top: readonly string[]): string {
  const lines = [`# envseal completion for fish: envseal completion fish > ~/.config/fish/completions/envseal.fish`, 'complete -c envseal -f'];
  lines.push(`complete -c envseal -n '__fish_use_subcommand' -a '${top.join(' ')}'`);
  for (const e of list) {
    const condition = e.words.length === 1 ? `__fish_seen_subcommand_from ${e.words[0]}` : `__fish_seen_subcommand_from ${e.words[0]}; and __fish_seen_subcommand_from ${e.words[1]}`;
    const subs = list.filter((s) => s.words.length === e.words.length + 1 && s.words.slice(0, -1).join(' ') === e.words.join(' ')).map((s) => s.words.at(-1));
    if (subs.length > 0) lines.push(`complete -c envseal -n '${condition}' -a '${subs.join(' ')}'`);
    for (const o of e.options) {
      const flag = o.startsWith('--') ? `-l ${o.slice(2)}` : `-s ${o.slice(1)}`;
      lines.push(`complete -c envseal -n '${condition}' ${flag} -F`);
    }
  }
  return `${lines.join('\n')}\n`;
}
