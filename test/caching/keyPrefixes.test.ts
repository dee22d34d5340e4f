import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PREFIX, VIEWER_FLAGS, keys } from '../../app/cache/keys';
import { luaString, scripts } from '../../app/cache/scripts';
import { slotOf } from '../../app/cache/perNode';

/**
 * app/cache/keys.ts is the only spelling of Redis key prefixes: the Lua gets them
 * interpolated, and no other source file writes one by hand (a copy would drift the day a
 * prefix changes, and the caches would silently stop matching).
 */
const ROOT = path.resolve(__dirname, '../..');
const PREFIXES: string[] = [...Object.values(PREFIX), ...VIEWER_FLAGS.map((flag) => flag.prefix)];
/** A quoted text made only of lowercase words each ending in ':', like 'tw:' or 'tl:h:'. */
const PREFIX_LITERAL = /['"`]((?:[a-z]+:)+)['"`]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The source without its comments' lines (doc comments may name keys for the reader). */
const codeOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
    .join('\n');

describe('Redis key prefixes', () => {
  it('are distinct, and none begins another (key families cannot collide)', () => {
    for (const a of PREFIXES) {
      for (const b of PREFIXES) if (a !== b) expect(b.startsWith(a), `${a} / ${b}`).to.equal(false);
    }
  });

  it("make the keys of keys.ts, a user's tagged with their id (one Cluster slot per user)", () => {
    expect(keys.home('7')).to.equal(`${PREFIX.home}{7}`);
    expect(keys.celebrities('7')).to.equal(`${PREFIX.celebrities}{7}`);
    expect(keys.author('7')).to.equal(`${PREFIX.author}{7}`);
    expect(keys.hidden('7')).to.equal(`${PREFIX.hidden}{7}`);
    expect(keys.blocked('7')).to.equal(`${PREFIX.blocked}{7}`);
    expect(keys.tweet('7')).to.equal(`${PREFIX.tweet}7`);
    expect(keys.popularHour(7).startsWith(PREFIX.popular)).to.equal(true);
    expect(keys.viewerFlags('7')).to.deep.equal(VIEWER_FLAGS.map((flag) => `${flag.prefix}{7}`));
    for (const flag of VIEWER_FLAGS) expect(keys[flag.name]('7')).to.equal(`${flag.prefix}{7}`);
  });

  it("put what one viewer's page reads of their own in one slot, and popular rankings in one", () => {
    const own = [
      keys.home('42'),
      keys.celebrities('42'),
      keys.author('42'),
      keys.hidden('42'),
      keys.blocked('42'),
      ...keys.viewerFlags('42'),
      keys.viewerSetsChanged('42'), // a fill script reads it with the sets
    ];
    expect(new Set(own.map((key) => slotOf(key))).size).to.equal(1);
    const popular = [keys.popularHour(1), keys.popularSnapshot('2'), keys.popularCurrent()];
    expect(new Set(popular.map((key) => slotOf(key))).size).to.equal(1);
  });

  it('reach the Lua only from keys.ts: scripts.ts spells none by hand', () => {
    const source = codeOf(path.join(ROOT, 'app/cache/scripts.ts'));
    expect([...source.matchAll(PREFIX_LITERAL)].map((m) => m[0])).to.deep.equal([]);
    for (const [name, script] of Object.entries(scripts)) {
      for (const [, literal] of script.lua.matchAll(PREFIX_LITERAL)) {
        expect(PREFIXES, `${name} uses ${literal}`).to.include(literal);
      }
    }
  });

  it('are spelled nowhere else in app/, workers/ or seeders/', () => {
    const owner = path.join(ROOT, 'app/cache/keys.ts');
    const found = ['app', 'workers', 'seeders']
      .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .filter((file) => file !== owner)
      .flatMap((file) =>
        [...codeOf(file).matchAll(/['"`]([a-z]+:)+/g)]
          .filter((m) => PREFIXES.some((prefix) => m[0].slice(1).startsWith(prefix)))
          .map((m) => `${path.relative(ROOT, file)}: ${m[0]}`),
      );
    expect(found).to.deep.equal([]);
  });

  it('are quoted for Lua only when nothing in them can end the literal', () => {
    expect(luaString('tl:h:')).to.equal("'tl:h:'");
    expect(() => luaString("x' .. redis.call('FLUSHALL') .. '")).to.throw();
    expect(() => luaString('x\\')).to.throw();
  });
});
