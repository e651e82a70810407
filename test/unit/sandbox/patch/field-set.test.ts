import { describe, expect, it } from 'vitest';
import { FieldSet, formatPath, keyElement, valueElement } from '../../../../src/sandbox/patch/field-set.js';

describe('FieldSet', () => {
  const fieldsV1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
          },
        },
      },
    },
    'f:metadata2': { 'v:"a"': {} },
  };

  it('round-trips fieldsV1, keeping "." first and elements sorted', () => {
    const set = FieldSet.fromFieldsV1(fieldsV1);
    expect(set.toFieldsV1()).toEqual(fieldsV1);
    const labels = set.toFieldsV1()['f:metadata'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(labels['f:labels'] ?? {})).toEqual(['.', 'f:app']);
  });

  it('knows members from intermediate nodes', () => {
    const set = FieldSet.fromFieldsV1(fieldsV1);
    expect(set.has(['f:metadata', 'f:labels'])).toBe(true);
    expect(set.has(['f:metadata'])).toBe(false);
    expect(set.has(['f:spec', 'f:replicas'])).toBe(true);
    expect(set.paths()).toContainEqual(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']);
  });

  it('sorts fields, then keys, then values, numbers numerically', () => {
    const set = new FieldSet();
    set.insert(['f:l', 'k:{"port":443}']);
    set.insert(['f:l', 'k:{"port":80}']);
    set.insert(['f:b']);
    set.insert(['f:a']);
    expect(Object.keys(set.toFieldsV1())).toEqual(['f:a', 'f:b', 'f:l']);
    expect(Object.keys(set.toFieldsV1()['f:l'] as object)).toEqual(['k:{"port":80}', 'k:{"port":443}']);
  });

  it('union, intersection, difference and recursive difference', () => {
    const a = new FieldSet();
    a.insert(['f:spec', 'f:replicas']);
    a.insert(['f:status', 'f:x']);
    const b = new FieldSet();
    b.insert(['f:spec', 'f:paused']);
    b.insert(['f:spec', 'f:replicas']);
    expect(a.union(b).paths()).toEqual([['f:spec', 'f:paused'], ['f:spec', 'f:replicas'], ['f:status', 'f:x']]);
    expect(a.intersection(b).paths()).toEqual([['f:spec', 'f:replicas']]);
    expect(a.difference(b).paths()).toEqual([['f:status', 'f:x']]);
    const status = new FieldSet();
    status.insert(['f:status']);
    expect(a.recursiveDifference(status).paths()).toEqual([['f:spec', 'f:replicas']]);
  });

  it('rejects unknown path elements', () => {
    expect(() => FieldSet.fromFieldsV1({ 'x:y': {} })).toThrow(/unknown path element/);
  });
});

describe('formatPath', () => {
  it.each([
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image'], '.spec.containers[name="nginx"].image'],
    [['f:ports', keyElement({ protocol: 'TCP', containerPort: 80 })], '.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', valueElement('x')], '.metadata.finalizers[="x"]'],
    [['f:args', 'i:2'], '.args[2]'],
  ])('%j -> %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });

  it('encodes keys with sorted names', () => {
    expect(keyElement({ protocol: 'TCP', containerPort: 80 })).toBe('k:{"containerPort":80,"protocol":"TCP"}');
  });
});
