import { sharedPattern } from './wire';

test('two subjects that differ in one token share the wildcard in its place', () => {
  expect(sharedPattern('p.gw.deliver.v1.s1', 'p.gw.presence.v1.s1')).toBe('p.gw.*.v1.s1');
});

test('subjects that differ in more than one token, or in length, have no one-token wildcard', () => {
  expect(() => sharedPattern('gw.deliver.v1.s1', 'gw.presence.v1.s2')).toThrow(/no one-token wildcard/);
  expect(() => sharedPattern('gw.deliver.v1.s1', 'gw.deliver.v1.s1.x')).toThrow(/no one-token wildcard/);
  expect(() => sharedPattern('gw.deliver.v1.s1', 'gw.deliver.v1.s1')).toThrow(/no one-token wildcard/);
});
