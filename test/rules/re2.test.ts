/**
 * The RE2 engine for sops regexes (src/rules/re2*.ts): linear time on the patterns that
 * make a backtracking engine explode, RE2's syntax and semantics (what sops configs use,
 * and where RE2 differs from JavaScript), RE2's refusals, and agreement with JavaScript's
 * RegExp on random patterns of the syntax both share.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRe2, type Re2Regex } from '../../src/rules/re2.js';

function re2(source: string): Re2Regex {
  const compiled = compileRe2(source);
  if (!compiled.ok) throw new Error(`refused ${source}: ${compiled.reason}`);
  return compiled.regex;
}

describe('linear time where a backtracking engine takes exponential time', () => {
  // Each of these takes JavaScript's RegExp longer than the test timeout (`^(a+)+$` on
  // 30 characters: over 10 s); here they finish in a blink. Asserting the answers.
  it.each([
    ['^(a+)+$', `${'a'.repeat(30)}!`, false],
    ['^(a+)+$', 'a'.repeat(30), true],
    ['^(a+)+$', `${'a'.repeat(100_000)}!`, false],
    ['(a|aa)+$', `${'a'.repeat(50_000)}b`, false],
    ['(x+x+)+y', 'x'.repeat(50_000), false],
    ['^(\\w+\\s?)*$', `${'word '.repeat(10_000)}!`, false],
    ['(a*)*b', 'a'.repeat(50_000), false],
    ['^(a|a?)+$', `${'a'.repeat(10_000)}b`, false],
    ['(.*a){20}', `${'a'.repeat(19)}${'b'.repeat(10_000)}`, false],
    ['(.*a){20}', 'a'.repeat(20), true],
  ])('%s on a %#th hostile text', (pattern, text, expected) => {
    expect(re2(pattern).test(text)).toBe(expected);
  });
});

describe('linear in the size of a hostile pattern too', () => {
  // A pattern is as untrusted as the text: parsing never re-reads the rest of the pattern,
  // and a big class is tested by binary search, not range by range.
  it('huge patterns are parsed or refused at once', () => {
    expect(compileRe2('{'.repeat(200_000)).ok).toBe(false); // literal braces: too many steps
    expect(compileRe2(`\\Q${'a'.repeat(200_000)}`).ok).toBe(false);
    expect(compileRe2(`(?P<${'a'.repeat(200_000)}`).ok).toBe(false);
    expect(compileRe2(`${'(?:'.repeat(50_000)}a`).ok).toBe(false);
    expect(re2(`^[${'a-c'.repeat(100_000)}x]+$`).test('abcx'.repeat(10_000))).toBe(true);
    const latin1 = re2(`^(?i)[${'\\x00-\\xfe'.repeat(20_000)}]+$`);
    expect(latin1.test('aÄé'.repeat(10_000))).toBe(true);
    expect(latin1.test(`${'a'.repeat(10_000)}Ā`)).toBe(false);
    expect(re2(`[${'\\pL\\d[:^alpha:]'.repeat(20_000)}]`).test(`${'-'.repeat(10_000)}é`)).toBe(true);
    expect(re2(`^[${'a-c'.repeat(50_000)}]{1000}$`).test('abc'.repeat(333) + 'a')).toBe(true);
  });
});

describe('what sops configs use', () => {
  it.each([
    ['^(data|stringData)$', ['data', 'stringData'], ['metadata', 'data2', 'Data']],
    ['^(password|token|.*_key)$', ['password', 'token', 'api_key', '_key'], ['passwords', 'key', 'api_keys']],
    ['\\.env$', ['.env', 'prod/.env', 'a.env'], ['.envrc', 'env', 'a.env.bak']],
    ['^prod/.*\\.yaml$', ['prod/a.yaml', 'prod/x/y.yaml'], ['dev/prod/a.yaml', 'prod/a.yml', 'prod/a.yaml~']],
    ['(?i)secret', ['SECRET', 'my_Secret_x'], ['secre', 's_ecret']],
    ['^(?i)pass', ['PASS', 'Password'], ['xpass']],
    ['_unencrypted$', ['port_unencrypted'], ['port_unencrypted_', 'unencrypted']],
    ['^sops:enc', ['sops:enc', 'sops:encrypt'], [' sops:enc']],
    ['[A-Z_]+_(TOKEN|KEY)$', ['GITHUB_TOKEN', 'A_KEY'], ['TOKEN', 'a_token']],
    ['^[a-z0-9-]{3,8}$', ['abc', 'my-app-1'], ['ab', 'toolongname', 'ABC']],
    ['\\bkey\\b', ['the key', 'key'], ['keys', 'monkey']],
    ['^(?:dev|staging)/', ['dev/a.env', 'staging/'], ['prod/dev/']],
    ['[^/]+\\.enc\\.json$', ['a.enc.json', 'x/b.enc.json'], ['x/.enc.json', 'a.enc.jsonx']],
    ['', ['', 'anything'], []],
    ['a|', ['', 'b'], []],
  ])('%s', (pattern, yes, no) => {
    const r = re2(pattern);
    for (const text of yes) expect([text, r.test(text)]).toEqual([text, true]);
    for (const text of no) expect([text, r.test(text)]).toEqual([text, false]);
  });
});

describe('RE2 syntax and semantics, including where JavaScript differs', () => {
  it.each([
    // pattern, text, RE2's answer
    ['a.b', 'a\rb', true], // JavaScript's . refuses \r; RE2's only \n
    ['a.b', 'a\nb', false],
    ['(?s)a.b', 'a\nb', true],
    ['^.$', '😀', true], // one character (a rune), not two UTF-16 units
    ['^..$', '😀', false],
    ['\\s', '\v', false], // RE2's \s is [\t\n\f\r ]
    ['\\s', '\u00a0', false], // ASCII only
    ['\\d', '٣', false],
    ['\\w', 'é', false],
    ['^b$', 'a\nb\nc', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['\\Aab\\z', 'ab', true],
    ['\\Aab\\z', 'ab\n', false],
    ['a(?i)b', 'aB', true],
    ['a(?i)b', 'AB', false],
    ['(?i:a)b', 'Ab', true],
    ['(?i:a)b', 'AB', false],
    ['(?i)a(?-i)b', 'Ab', true],
    ['(?i)a(?-i)b', 'AB', false],
    ['(?i)k', '\u212a', true], // the Kelvin sign folds to k
    ['(?i)[^k]', 'K', false],
    ['(?i)[a-c]+$', 'xABC', true],
    ['(?U)a+', 'a', true],
    ['(?P<name>a)(?<other>b)', 'ab', true],
    ['a\\Q.*+\\Eb', 'a.*+b', true],
    ['a\\Q.*+\\Eb', 'aaab', false],
    ['a\\Q.*', 'a.*', true],
    ['\\x41\\x{1F600}', 'A😀', true],
    ['\\101\\0', 'A\0', true],
    ['\\pL+$', 'héllo', true],
    ['^\\pN$', '٣', true],
    ['^\\PL$', '1', true],
    ['^\\p{Greek}+$', 'αβγ', true],
    ['^\\p{^Greek}$', 'a', true],
    ['^\\p{Lu}$', 'É', true],
    ['^[[:alpha:]]+$', 'abcXYZ', true],
    ['^[[:alpha:]]+$', 'abc1', false],
    ['^[[:^digit:]]$', '1', false],
    ['^[[:punct:][:space:]]+$', '!? \t', true],
    ['^[]a]+$', ']a]', true],
    ['^[^]a]$', 'b', true],
    ['^[a-]$', '-', true],
    ['^[\\d-z]+$', '1-z', true],
    ['^[\\]\\\\]+$', ']\\', true],
    ['a{2}', 'aa', true],
    ['^a{2,}$', 'a', false],
    ['^a{0,1}$', '', true],
    ['x{', 'x{', true], // not a repetition: a literal brace
    ['x{a}', 'x{a}', true],
    ['x{,2}', 'x{,2}', true],
    ['^*', 'anything', true],
    ['\\bfoo\\B', 'foox', true],
    ['\\bfoo\\B', 'foo x', false],
    ['\\.\\+\\*\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\/\\-\\ \\#', '.+*?()[]{}|^$/- #', true],
  ])('%s on %j: %s', (pattern, text, expected) => {
    expect(re2(pattern).test(text)).toBe(expected);
  });

  it.each([
    ['(?=a)', /look-around/],
    ['(?!a)', /look-around/],
    ['(?<=a)b', /look-around/],
    ['(?<!a)b', /look-around/],
    ['(a)\\1', /backreferences/],
    ['(?P<n>a)(?P=n)', /backreferences/],
    ['a**', /nested repetition/],
    ['a+?*', /nested repetition/],
    ['a{2}{3}', /nested repetition/],
    ['*a', /missing argument/],
    ['a|*', /missing argument/],
    ['(?i)*', /missing argument/],
    ['a{1001}', /invalid repeat count/],
    ['a{3,2}', /invalid repeat count/],
    ['(a', /missing closing \)/],
    ['a)', /unexpected \)/],
    ['[a', /missing closing \]/],
    ['[]', /missing closing \]/],
    ['[z-a]', /invalid character class range/],
    ['[a-\\d]', /invalid character class range/],
    ['[[:nope:]]', /invalid character class range/],
    ['\\p{Nope}', /invalid character class range/],
    ['\\C', /invalid escape/],
    ['\\Z', /invalid escape/],
    ['\\e', /invalid escape/],
    ['\\8', /invalid escape/],
    ['\\xG1', /invalid escape/],
    ['\\x{110000}', /invalid escape/],
    ['[\\b]', /invalid escape/],
    ['\\', /trailing backslash/],
    ['(?x)a', /unsupported group/],
    ['(?#comment)', /unsupported group/],
    ['(?i-)a', /unsupported group/],
    ['(?)', /unsupported group/],
    ['(?<a-b>x)', /invalid named capture/],
    ['(?P<>x)', /invalid named capture/],
    [`${'('.repeat(101)}a${')'.repeat(101)}`, /nested more than 100/],
    ['(a{1000}){3}', /nested repetitions over 1000/],
    ['((((a{10}){10}){10}){10})', /nested repetitions over 1000/],
    ['((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})', /nested repetitions over 1000/],
    ['\\Q\\E*', /missing argument/],
    ['[a-Z]', /invalid character class range/],
    ['(?i)[a-Z]', /invalid character class range/],
    ['(?P<x y>a)', /invalid named capture/],
    ['(?P<name>a', /missing closing \)/],
    ['a{1,9876543210}', /invalid repeat count/],
    ['[a-z]{1000}[0-9]{1000}', /too large/],
    ['\\pL'.repeat(2001), /too large/],
  ])('refuses %s', (pattern, reason) => {
    const compiled = compileRe2(pattern);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.reason).toMatch(reason);
  });

  it('accepts the largest repeats RE2 allows', () => {
    expect(re2('^(((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2})$').test('x'.repeat(512))).toBe(true);
    expect(re2('^a{1000}$').test('a'.repeat(1000))).toBe(true);
    expect(re2('^a{1000}$').test('a'.repeat(999))).toBe(false);
  });
});

describe('agrees with JavaScript RegExp on the syntax both share', () => {
  // Atoms whose meaning is the same in RE2 and in JavaScript with the u flag, over an
  // alphabet without the characters where they differ (\r, \v, Unicode spaces, ſ, K).
  const atom = fc.constantFrom('a', 'b', 'A', 'é', '😀', '.', '[ab]', '[^a]', '[a-c]', '[A-Z0-9]', '\\d', '\\w', '\\s', '\\W', '\\.', 'x');
  const anchor = fc.constantFrom('^', '$', '\\b', '\\B');
  const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?', '??');
  // JavaScript's own backtracking must stay quick on these short texts: deep nesting gets
  // bounded repetitions only, unbounded ones (`(a*)*`) get one level of groups.
  const patterns = (maxDepth: number, groupQuantifier: fc.Arbitrary<string>) =>
    fc.letrec<{ alt: string; seq: string; piece: string }>((tie) => ({
      alt: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((seqs) => seqs.join('|')),
      seq: fc.array(tie('piece'), { maxLength: 4 }).map((pieces) => pieces.join('')),
      piece: fc.oneof(
        { maxDepth },
        { weight: 4, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q) },
        { weight: 1, arbitrary: anchor },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('(', '(?:'), tie('alt'), groupQuantifier).map(([open, inner, q]) => `${open}${inner})${q}`) },
      ),
    })).alt;
  const deep = patterns(3, fc.constantFrom('', '?', '{2}', '{0,2}', '??'));
  const loops = patterns(1, quantifier);
  const text = fc.array(fc.constantFrom('a', 'b', 'A', 'B', 'é', 'É', '😀', '1', ' ', '\n', '_', '.', 'x'), { maxLength: 10 }).map((cs) => cs.join(''));

  it.each([
    ['nested groups', deep],
    ['repeated groups', loops],
  ])('same answer for random patterns and texts, with and without (?i): %s', (_name, pattern) => {
    fc.assert(
      fc.property(pattern, fc.boolean(), fc.array(text, { minLength: 1, maxLength: 8 }), (source, fold, texts) => {
        const ours = re2(fold ? `(?i)${source}` : source);
        const theirs = new RegExp(source, fold ? 'iu' : 'u');
        for (const t of texts) {
          // V8 finds \B between the two halves of a surrogate pair; RE2 reads runes.
          if (source.includes('\\B') && t.includes('😀')) continue;
          expect([source, fold, t, ours.test(t)]).toEqual([source, fold, t, theirs.test(t)]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
