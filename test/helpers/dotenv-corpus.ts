/**
 * The dotenv corpus of docs/dotenv.md, one case per rule. `agrees` says whether envseal's
 * reading is dotenv.parse's; where it deliberately is not, `ours` says what envseal does.
 */
export interface DotenvCase {
  readonly name: string;
  readonly text: string;
  /** envseal reads it exactly as dotenv.parse does. */
  readonly agrees: boolean;
  /** Where envseal differs on purpose: the values it reads, or the error it raises. */
  readonly ours?: Record<string, string> | { error: RegExp };
  /** Where dotenvx and dotenv differ and envseal follows dotenvx (without expansion). */
  readonly dotenvx?: Record<string, string>;
}

export const DOTENV_CORPUS: readonly DotenvCase[] = [
  { name: 'export prefix, colon separator, dotted and dashed keys', text: 'A=1\nexport B=2\nC: three\nDOTTED.KEY=x\nDASH-KEY=y\n', agrees: true },
  { name: 'leading whitespace and indented comments', text: '  INDENT=1\n\t# comment\n   # another\n', agrees: true },
  { name: '# starts a comment in unquoted values, even without a space', text: 'K=value#x\nL=v # c\nURL=https://x.test/#frag\n', agrees: true },
  { name: 'comment after a closing quote', text: 'M="a" # note\nN=\'b\'#tight\n', agrees: true },
  { name: 'unquoted values are trimmed, escapes not decoded, inner quotes kept', text: 'U=  some value  \nV=a\\nb\nW={"foo": "bar"}\n', agrees: true },
  { name: 'greedy quotes and raw remainders', text: 'Q="quoted" trailing\nR="a"b"\nS="abc\nT=2\n', agrees: true },
  { name: 'empty values', text: 'E=\nF=""\nG=\'\'\n', agrees: true },
  { name: 'single quotes are literal', text: "S1='lit $HOME \\n'\nS2='  spaced  '\n", agrees: true },
  { name: 'single-quoted values may span lines', text: "ML='line1\nline2\n  line3'\nAFTER=1\n", agrees: true },
  { name: 'double quotes decode \\n and \\r, keep \\" and do not collapse \\\\', text: 'D1="a\\nb\\rc"\nD2="x\\"y"\nD3="x\\\\ny"\nD4="  sp  "\n', agrees: true },
  { name: 'double-quoted values may span lines (PEM keys)', text: 'PEM="-----BEGIN KEY-----\nMIIB\n-----END KEY-----"\nNEXT=1\n', agrees: true },
  { name: 'backticks hold both quote kinds', text: 'B1=`has \'both\' "q"`\nB2=`multi\nline`\n', agrees: true },
  { name: 'CRLF and lone CR line ends', text: 'X=a\r\nY=b\rZ=c\r\n', agrees: true },
  { name: 'a line with only = after the key', text: 'A=\nB=1\n', agrees: true },
  { name: 'space before the quote', text: 'A= "spaced"\nB=   \'x\'\n', agrees: true },
  { name: 'unicode values and a BOM-free file', text: 'GREETING=héllo wörld ✓\nEMOJI="🔑"\n', agrees: true },
  { name: 'no expansion: $ stays a $ (dotenv agrees; dotenvx would expand)', text: 'A=fromfile\nB=${A}\nC=$A\nD=${UNSET:-def}\nE=this$is$a$test\nG=cost $ 5\n', agrees: true },
  { name: 'no command substitution in backticks (dotenvx would run it)', text: 'B2=`x ${A} $(echo c)`\n', agrees: true },
  {
    name: '\\t in double quotes: dotenvx decodes it (envseal follows dotenvx)',
    text: 'TAB="a\\tb"\n',
    agrees: false,
    ours: { TAB: 'a\tb' },
    dotenvx: { TAB: 'a\tb' },
  },
  {
    name: "\\' in single quotes: dotenvx unescapes it (envseal follows dotenvx)",
    text: "S='it\\'s'\n",
    agrees: false,
    ours: { S: "it's" },
    dotenvx: { S: "it's" },
  },
  { name: 'a line without = is an error, not a silent skip', text: 'NOEQ\nA=1\n', agrees: false, ours: { error: /line 1 is not KEY=VALUE/ } },
  { name: 'no line continuation: the next line is an error', text: 'A=a\\\nb\n', agrees: false, ours: { error: /line 2 is not KEY=VALUE/ } },
  { name: 'a key defined twice is an error naming both lines', text: 'A=1\nB=2\nA=3\n', agrees: false, ours: { error: /A is defined twice \(lines 1 and 3\)/ } },
];
