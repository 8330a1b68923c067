import { JsonInputError, MAX_JSON_DEPTH, parseBoundedJson, tooDeepPath } from './json';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('tooDeepPath', () => {
  it('lets JSON nested exactly to the limit through', () => {
    expect(tooDeepPath(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(tooDeepPath(nested(MAX_JSON_DEPTH + 1))).toBe('[0][0][0][0]…');
  });

  it('names the path by keys and indexes, quoting keys that are not identifiers', () => {
    expect(tooDeepPath('{"a":1,"b":[0,{"c d":[[[1]]]}]}', 4)).toBe('.b[1]["c d"][0]');
    expect(tooDeepPath('{"metrics":["t"],"sensors":[["x"],[["y"]]]}', 3)).toBe('.sensors[1][0]');
  });

  it('ignores brackets, braces and escaped quotes inside strings', () => {
    const text = `{"note":"[[[{{{ \\" ]]] \\\\","x":[1]}`;
    expect(tooDeepPath(text, 2)).toBeUndefined();
    expect(JSON.parse(text)).toEqual({ note: '[[[{{{ " ]]] \\', x: [1] });
  });

  it('reports the root itself as the empty path', () => {
    expect(tooDeepPath('[]', 0)).toBe('');
  });
});

describe('parseBoundedJson', () => {
  it('parses ordinary JSON', () => {
    expect(parseBoundedJson('{"model":"dbscan","sensors":["a"]}', 'query')).toEqual({
      model: 'dbscan',
      sensors: ['a'],
    });
  });

  it('refuses nesting past the limit before parsing, naming the field', () => {
    const parse = () => parseBoundedJson(`{"model":${nested(100_000)}}`, 'query');
    expect(parse).toThrow(JsonInputError);
    expect(parse).toThrow(/^query\.model\[0\]\[0\]\[0\]…: nested more than 64 levels deep/);
  });

  it('says what is not JSON', () => {
    expect(() => parseBoundedJson('{model: 1}', 'jsonData')).toThrow(/^jsonData: must be valid JSON \(/);
  });
});
